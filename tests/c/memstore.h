/* A host store written in C, over the store callbacks: records in memory behind a mutex, with
 * knobs to make it fail, conflict, hand back unreadable records, or call back into creditbook. */
#ifndef CREDITBOOK_TEST_MEMSTORE_H
#define CREDITBOOK_TEST_MEMSTORE_H

#include <pthread.h>

#include "creditbook.h"

typedef struct memstore_record {
    char *account;
    uint64_t seq;
    char *text;
} memstore_record;

typedef struct memstore memstore;

/* Called at the start of append, before the store takes its lock (so it may call creditbook). */
typedef void (*memstore_hook)(memstore *store, const char *account, uint64_t expected_version);

struct memstore {
    pthread_mutex_t lock;
    memstore_record *records;
    size_t len, cap;
    int32_t fail_load;       /* status load returns when not 0 */
    int32_t fail_append;     /* status append returns when not 0 */
    int32_t fail_ids;        /* status account_ids returns when not 0 */
    int conflicts;           /* append answers CONFLICT this many more times */
    int corrupt_load;        /* load pushes a record creditbook cannot read */
    int bad_utf8_id;         /* account_ids pushes an id that is not UTF-8 */
    memstore_hook before_append;
    void *hook_data;
    int hook_depth;          /* set by hooks that must not recurse */
    size_t appends;          /* calls of append that wrote */
    int push_result;         /* the last result of a sink push */
};

void memstore_init(memstore *store);
void memstore_free(memstore *store);
creditbook_store_callbacks memstore_callbacks(memstore *store);
/* The number of records of `account` (its version). */
uint64_t memstore_version(memstore *store, const char *account);

#endif
