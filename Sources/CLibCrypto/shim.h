// OpenSSL's libcrypto, for streaming SHA-256 (it uses the CPU's SHA extensions when present).
// The same library libcurl (under FoundationNetworking) already loads; headers from Debian's libssl-dev.
#ifndef LATHE_CLIBCRYPTO_SHIM_H
#define LATHE_CLIBCRYPTO_SHIM_H
#include <openssl/evp.h>
#endif
