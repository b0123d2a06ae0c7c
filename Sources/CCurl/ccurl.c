// See include/ccurl.h. Every libcurl entry point is looked up once; calls go through typed pointers, so the
// varargs setopt is called with its real (variadic) prototype.
#include "ccurl.h"

#include <dlfcn.h>
#include <pthread.h>

typedef void *(*easy_init_fn)(void);
typedef void (*easy_cleanup_fn)(void *);
typedef int (*easy_setopt_fn)(void *, int, ...);
typedef int (*easy_perform_fn)(void *);
typedef const char *(*easy_strerror_fn)(int);
typedef void *(*slist_append_fn)(void *, const char *);
typedef void (*slist_free_all_fn)(void *);
typedef int (*global_init_fn)(long);

static struct {
    easy_init_fn easy_init;
    easy_cleanup_fn easy_cleanup;
    easy_setopt_fn easy_setopt;
    easy_perform_fn easy_perform;
    easy_strerror_fn easy_strerror;
    slist_append_fn slist_append;
    slist_free_all_fn slist_free_all;
    int loaded;
} curl;

static pthread_once_t once = PTHREAD_ONCE_INIT;

// CURLOPT_WRITEFUNCTION and friends.
enum { WRITEDATA = 10001, WRITEFUNCTION = 20011, HEADERDATA = 10029, HEADERFUNCTION = 20079, NOPROGRESS = 43,
       XFERINFODATA = 10057, XFERINFOFUNCTION = 20219 };

static void load(void) {
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_GLOBAL);
    if (!lib) return;
    global_init_fn global_init = (global_init_fn)dlsym(lib, "curl_global_init");
    curl.easy_init = (easy_init_fn)dlsym(lib, "curl_easy_init");
    curl.easy_cleanup = (easy_cleanup_fn)dlsym(lib, "curl_easy_cleanup");
    curl.easy_setopt = (easy_setopt_fn)dlsym(lib, "curl_easy_setopt");
    curl.easy_perform = (easy_perform_fn)dlsym(lib, "curl_easy_perform");
    curl.easy_strerror = (easy_strerror_fn)dlsym(lib, "curl_easy_strerror");
    curl.slist_append = (slist_append_fn)dlsym(lib, "curl_slist_append");
    curl.slist_free_all = (slist_free_all_fn)dlsym(lib, "curl_slist_free_all");
    if (!global_init || !curl.easy_init || !curl.easy_cleanup || !curl.easy_setopt || !curl.easy_perform
        || !curl.easy_strerror || !curl.slist_append || !curl.slist_free_all) return;
    if (global_init(3 /* CURL_GLOBAL_ALL */) != 0) return;
    curl.loaded = 1;
}

int lathe_curl_load(void) {
    pthread_once(&once, load);
    return curl.loaded;
}

void *lathe_curl_easy_init(void) { return curl.easy_init(); }
void lathe_curl_easy_cleanup(void *handle) { curl.easy_cleanup(handle); }
int lathe_curl_setopt_long(void *handle, int option, long value) { return curl.easy_setopt(handle, option, value); }
int lathe_curl_setopt_pointer(void *handle, int option, const void *value) {
    return curl.easy_setopt(handle, option, value);
}

int lathe_curl_set_callbacks(void *handle, lathe_curl_data_cb body, lathe_curl_data_cb header,
                             lathe_curl_progress_cb progress, void *context) {
    int rc = curl.easy_setopt(handle, WRITEFUNCTION, body);
    rc = rc ? rc : curl.easy_setopt(handle, WRITEDATA, context);
    rc = rc ? rc : curl.easy_setopt(handle, HEADERFUNCTION, header);
    rc = rc ? rc : curl.easy_setopt(handle, HEADERDATA, context);
    rc = rc ? rc : curl.easy_setopt(handle, XFERINFOFUNCTION, progress);
    rc = rc ? rc : curl.easy_setopt(handle, XFERINFODATA, context);
    rc = rc ? rc : curl.easy_setopt(handle, NOPROGRESS, 0L);
    return rc;
}

int lathe_curl_perform(void *handle) { return curl.easy_perform(handle); }
const char *lathe_curl_strerror(int code) { return curl.easy_strerror(code); }
void *lathe_curl_slist_append(void *list, const char *line) { return curl.slist_append(list, line); }
void lathe_curl_slist_free_all(void *list) { curl.slist_free_all(list); }
