// libcurl's easy interface, loaded at run time with dlopen (no headers or dev package needed: FoundationNetworking
// already depends on libcurl.so.4). Typed wrappers, because Swift cannot call curl_easy_setopt's C varargs.
#ifndef LATHE_CCURL_H
#define LATHE_CCURL_H

#include <stddef.h>
#include <stdint.h>

typedef size_t (*lathe_curl_data_cb)(char *data, size_t size, size_t count, void *context);
typedef int (*lathe_curl_progress_cb)(void *context, int64_t download_total, int64_t download_now,
                                      int64_t upload_total, int64_t upload_now);

/// 1 when libcurl was loaded (once; thread-safe), else 0.
int lathe_curl_load(void);
void *lathe_curl_easy_init(void);
void lathe_curl_easy_cleanup(void *handle);
int lathe_curl_setopt_long(void *handle, int option, long value);
int lathe_curl_setopt_pointer(void *handle, int option, const void *value);
/// Body, header and progress callbacks with one context.
int lathe_curl_set_callbacks(void *handle, lathe_curl_data_cb body, lathe_curl_data_cb header,
                             lathe_curl_progress_cb progress, void *context);
int lathe_curl_perform(void *handle);
const char *lathe_curl_strerror(int code);
void *lathe_curl_slist_append(void *list, const char *line);
void lathe_curl_slist_free_all(void *list);

// Option and error numbers from curl.h (stable ABI).
enum {
    LATHE_CURLOPT_URL = 10002,
    LATHE_CURLOPT_HTTPHEADER = 10023,
    LATHE_CURLOPT_CUSTOMREQUEST = 10036,
    LATHE_CURLOPT_NOBODY = 44,
    LATHE_CURLOPT_FOLLOWLOCATION = 52,
    LATHE_CURLOPT_CONNECTTIMEOUT = 78,
    LATHE_CURLOPT_LOW_SPEED_LIMIT = 19,
    LATHE_CURLOPT_LOW_SPEED_TIME = 20,
    LATHE_CURLOPT_BUFFERSIZE = 98,
    LATHE_CURLOPT_NOSIGNAL = 99,
    LATHE_CURLOPT_PROTOCOLS_STR = 10318,
    LATHE_CURLE_OK = 0,
    LATHE_CURLE_COULDNT_RESOLVE_HOST = 6,
    LATHE_CURLE_COULDNT_CONNECT = 7,
    LATHE_CURLE_PARTIAL_FILE = 18,
    LATHE_CURLE_WRITE_ERROR = 23,
    LATHE_CURLE_OPERATION_TIMEDOUT = 28,
    LATHE_CURLE_ABORTED_BY_CALLBACK = 42,
    LATHE_CURLE_GOT_NOTHING = 52,
    LATHE_CURLE_SEND_ERROR = 55,
    LATHE_CURLE_RECV_ERROR = 56,
};

#endif
