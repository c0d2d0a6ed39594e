/* One book used from several threads at once, on the embedded store and on a host store: every
 * charge is recorded once, and each thread reads its own last error. */
#include <pthread.h>
#include <stdlib.h>

#include "check.h"
#include "memstore.h"

#define THREADS 4
#define CHARGES 100

typedef struct worker {
    creditbook_book *book;
    int index;
    int failures;
    int own_error_seen;
} worker;

static void *work(void *arg) {
    worker *w = arg;
    char own[32], op_id[64];
    snprintf(own, sizeof own, "T-%d", w->index);
    for (int i = 0; i < CHARGES; i++) {
        creditbook_operation op;
        snprintf(op_id, sizeof op_id, "t%d-shared-%d", w->index, i);
        op = op_at(op_id, utc(2026, 11, 2, 15, 0));
        if (creditbook_book_charge(w->book, "SHARED", &op, 100, NULL, NULL, NULL, NULL) != 0)
            w->failures++;
        snprintf(op_id, sizeof op_id, "t%d-own-%d", w->index, i);
        op = op_at(op_id, utc(2026, 11, 2, 15, 0));
        if (creditbook_book_charge(w->book, own, &op, 100, NULL, NULL, NULL, NULL) != 0)
            w->failures++;
        creditbook_summary s;
        if (creditbook_book_summary(w->book, own, day(2026, 11, 2), &s) != 0) w->failures++;
    }
    /* each thread fails differently; each reads back its own message */
    char account[32];
    snprintf(account, sizeof account, "missing-%d", w->index);
    creditbook_summary s;
    if (creditbook_book_summary(w->book, account, day(2026, 11, 2), &s) !=
        CREDITBOOK_RESULT_UNKNOWN_ACCOUNT)
        w->failures++;
    char *message = NULL;
    if (creditbook_book_last_error(w->book, &message) == CREDITBOOK_RESULT_OK) {
        w->own_error_seen = strstr(message, account) != NULL;
        creditbook_string_free(message);
    }
    return NULL;
}

static void run_threads(creditbook_book *book) {
    open_account(book, "SHARED", -1);
    for (int t = 0; t < THREADS; t++) {
        char own[32];
        snprintf(own, sizeof own, "T-%d", t);
        open_account(book, own, -1);
    }
    pthread_t threads[THREADS];
    worker workers[THREADS];
    for (int t = 0; t < THREADS; t++) {
        workers[t].book = book;
        workers[t].index = t;
        workers[t].failures = 0;
        workers[t].own_error_seen = 0;
        CHECK(pthread_create(&threads[t], NULL, work, &workers[t]) == 0);
    }
    for (int t = 0; t < THREADS; t++) {
        CHECK(pthread_join(threads[t], NULL) == 0);
        CHECK(workers[t].failures == 0);
        CHECK(workers[t].own_error_seen);
    }
    creditbook_summary s;
    CHECK_OK(creditbook_book_summary(book, "SHARED", day(2026, 11, 2), &s));
    CHECK(s.balance_owed == THREADS * CHARGES * 100);
    CHECK(s.open_invoices == THREADS * CHARGES);
    for (int t = 0; t < THREADS; t++) {
        char own[32];
        snprintf(own, sizeof own, "T-%d", t);
        CHECK_OK(creditbook_book_summary(book, own, day(2026, 11, 2), &s));
        CHECK(s.balance_owed == CHARGES * 100);
    }
}

void test_threads(void) {
    creditbook_book *book = new_book(NULL);
    run_threads(book);
    creditbook_book_free(book);

    memstore store;
    memstore_init(&store);
    creditbook_store_callbacks callbacks = memstore_callbacks(&store);
    book = new_book(&callbacks);
    run_threads(book);
    CHECK(memstore_version(&store, "SHARED") == 1 + THREADS * CHARGES);
    creditbook_book_free(book);
    memstore_free(&store);
}
