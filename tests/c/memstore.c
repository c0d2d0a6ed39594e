/* See memstore.h. */
#include "memstore.h"

#include <stdlib.h>
#include <string.h>

static char *copy(const char *text, size_t len) {
    char *s = malloc(len + 1);
    if (s == NULL) abort();
    memcpy(s, text, len);
    s[len] = '\0';
    return s;
}

void memstore_init(memstore *store) {
    memset(store, 0, sizeof *store);
    pthread_mutex_init(&store->lock, NULL);
}

void memstore_free(memstore *store) {
    for (size_t i = 0; i < store->len; i++) {
        free(store->records[i].account);
        free(store->records[i].text);
    }
    free(store->records);
    pthread_mutex_destroy(&store->lock);
}

static uint64_t version_locked(const memstore *store, const char *account) {
    uint64_t n = 0;
    for (size_t i = 0; i < store->len; i++)
        if (strcmp(store->records[i].account, account) == 0) n++;
    return n;
}

uint64_t memstore_version(memstore *store, const char *account) {
    pthread_mutex_lock(&store->lock);
    uint64_t n = version_locked(store, account);
    pthread_mutex_unlock(&store->lock);
    return n;
}

static int32_t load(void *user_data, const char *account, uint64_t after,
                    creditbook_entry_sink *sink) {
    memstore *store = user_data;
    if (store->fail_load != 0) return store->fail_load;
    pthread_mutex_lock(&store->lock);
    for (size_t i = 0; i < store->len; i++) {
        const memstore_record *r = &store->records[i];
        if (strcmp(r->account, account) != 0 || r->seq <= after) continue;
        if (store->corrupt_load) {
            store->push_result = (int)creditbook_entry_sink_push(sink, "{\"schema\":1}", 12);
        } else {
            store->push_result = (int)creditbook_entry_sink_push(sink, r->text, strlen(r->text));
        }
    }
    pthread_mutex_unlock(&store->lock);
    return CREDITBOOK_STORE_OK;
}

static int32_t append(void *user_data, const char *account, uint64_t expected_version,
                      const creditbook_record *records, size_t count) {
    memstore *store = user_data;
    if (store->before_append != NULL) store->before_append(store, account, expected_version);
    if (store->fail_append != 0) return store->fail_append;
    pthread_mutex_lock(&store->lock);
    if (store->conflicts > 0 || version_locked(store, account) != expected_version) {
        if (store->conflicts > 0) store->conflicts--;
        pthread_mutex_unlock(&store->lock);
        return CREDITBOOK_STORE_CONFLICT;
    }
    if (store->len + count > store->cap) {
        size_t cap = store->cap == 0 ? 16 : store->cap * 2;
        while (cap < store->len + count) cap *= 2;
        memstore_record *grown = realloc(store->records, cap * sizeof *grown);
        if (grown == NULL) abort();
        store->records = grown;
        store->cap = cap;
    }
    for (size_t i = 0; i < count; i++) {
        memstore_record *r = &store->records[store->len++];
        r->account = copy(account, strlen(account));
        r->seq = records[i].seq;
        r->text = copy(records[i].text, records[i].len);
    }
    store->appends++;
    pthread_mutex_unlock(&store->lock);
    return CREDITBOOK_STORE_OK;
}

static int32_t account_ids(void *user_data, creditbook_id_sink *sink) {
    memstore *store = user_data;
    if (store->fail_ids != 0) return store->fail_ids;
    if (store->bad_utf8_id) {
        store->push_result = (int)creditbook_id_sink_push(sink, "\xff\xfe", 2);
        return CREDITBOOK_STORE_OK;
    }
    pthread_mutex_lock(&store->lock);
    for (size_t i = 0; i < store->len; i++) {
        const char *id = store->records[i].account;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++) seen = strcmp(store->records[j].account, id) == 0;
        if (!seen) store->push_result = (int)creditbook_id_sink_push(sink, id, strlen(id));
    }
    pthread_mutex_unlock(&store->lock);
    return CREDITBOOK_STORE_OK;
}

creditbook_store_callbacks memstore_callbacks(memstore *store) {
    creditbook_store_callbacks callbacks;
    callbacks.user_data = store;
    callbacks.load = load;
    callbacks.append = append;
    callbacks.account_ids = account_ids;
    return callbacks;
}
