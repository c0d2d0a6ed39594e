/* The store port in C: a host store over the callbacks, restarts, failing and conflicting
 * callbacks, records creditbook cannot read, and callbacks that call creditbook again. */
#include <stdlib.h>

#include "check.h"
#include "memstore.h"

static creditbook_summary summary_of(creditbook_book *book, const char *account) {
    creditbook_summary s;
    memset(&s, 0, sizeof s);
    CHECK_OK(creditbook_book_summary(book, account, day(2026, 11, 30), &s));
    return s;
}

static void charge(creditbook_book *book, const char *account, const char *op_id, int64_t amount,
                   creditbook_result want) {
    creditbook_operation op = op_at(op_id, utc(2026, 11, 2, 15, 0));
    CHECK_RC(creditbook_book_charge(book, account, &op, amount, NULL, NULL, NULL, NULL), want);
}

static void test_restart(void) {
    memstore store;
    memstore_init(&store);
    creditbook_store_callbacks callbacks = memstore_callbacks(&store);
    creditbook_book *book = new_book(&callbacks);
    open_account(book, "A-1", 50000);
    charge(book, "A-1", "c1", 12000, CREDITBOOK_RESULT_OK);
    CHECK(memstore_version(&store, "A-1") == 2);
    CHECK(strstr(store.records[1].text, "\"schema\":1") != NULL);
    CHECK(store.records[1].seq == 2);
    creditbook_book_free(book);

    /* a new book on the same records: the till restarted */
    book = new_book(&callbacks);
    CHECK(summary_of(book, "A-1").balance_owed == 12000);
    charge(book, "A-1", "c1", 12000, CREDITBOOK_RESULT_OK); /* a replay, still known */
    charge(book, "A-1", "c2", 1000, CREDITBOOK_RESULT_OK);
    CHECK(summary_of(book, "A-1").balance_owed == 13000);
    open_account(book, "B-2", 0);
    creditbook_accounts_query q = every_account(day(2026, 11, 30));
    creditbook_account_list *list = NULL;
    CHECK_OK(creditbook_book_accounts(book, &q, &list));
    CHECK(list->len == 2);
    creditbook_account_list_free(list);
    creditbook_book_free(book);
    memstore_free(&store);
}

static void test_failing_callbacks(void) {
    memstore store;
    memstore_init(&store);
    creditbook_store_callbacks callbacks = memstore_callbacks(&store);
    creditbook_book *book = new_book(&callbacks);
    open_account(book, "A-1", 50000);

    store.fail_append = 42;
    charge(book, "A-1", "c1", 1000, CREDITBOOK_RESULT_STORE_FAILED);
    CHECK(book_error_contains(book, "store failed (code 42)"));
    store.fail_append = -5;
    creditbook_operation op = op_at("o-open", utc(2026, 11, 2, 15, 0));
    creditbook_customer c = customer("c", "Jean");
    CHECK_RC(creditbook_book_open_account(book, "B-2", granting(&op), &c, 0, 100, 0, 0, NULL),
             CREDITBOOK_RESULT_STORE_FAILED);
    CHECK(book_error_contains(book, "code -5"));
    store.fail_append = 0;
    /* nothing was recorded: the id is free and the figures unchanged */
    CHECK(memstore_version(&store, "A-1") == 1 && memstore_version(&store, "B-2") == 0);
    CHECK(summary_of(book, "A-1").balance_owed == 0);
    charge(book, "A-1", "c1", 1000, CREDITBOOK_RESULT_OK);

    /* a failing load, on a book that has not cached the account yet */
    creditbook_book *fresh = new_book(&callbacks);
    store.fail_load = 7;
    creditbook_summary s;
    CHECK_RC(creditbook_book_summary(fresh, "A-1", day(2026, 11, 30), &s), CREDITBOOK_RESULT_STORE_FAILED);
    CHECK(book_error_contains(fresh, "code 7"));
    charge(fresh, "A-1", "c9", 1000, CREDITBOOK_RESULT_STORE_FAILED);
    store.fail_load = 0;
    CHECK(summary_of(fresh, "A-1").balance_owed == 1000);

    /* a record creditbook cannot read: the push says so, and the load fails */
    creditbook_book *third = new_book(&callbacks);
    store.corrupt_load = 1;
    CHECK_RC(creditbook_book_summary(third, "A-1", day(2026, 11, 30), &s), CREDITBOOK_RESULT_STORE_FAILED);
    CHECK(store.push_result == CREDITBOOK_RESULT_CORRUPT_RECORD);
    CHECK(book_error_contains(third, "corrupt record"));
    store.corrupt_load = 0;
    creditbook_book_free(third);

    /* account ids */
    creditbook_accounts_query q = every_account(day(2026, 11, 30));
    creditbook_account_list *list = NULL;
    store.fail_ids = 3;
    CHECK_RC(creditbook_book_accounts(book, &q, &list), CREDITBOOK_RESULT_STORE_FAILED);
    store.fail_ids = 0;
    store.bad_utf8_id = 1;
    CHECK_RC(creditbook_book_accounts(book, &q, &list), CREDITBOOK_RESULT_STORE_FAILED);
    CHECK(store.push_result == CREDITBOOK_RESULT_INVALID_UTF8);
    store.bad_utf8_id = 0;
    CHECK(list == NULL);

    /* sinks refuse NULL */
    CHECK_RC(creditbook_entry_sink_push(NULL, "x", 1), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_id_sink_push(NULL, "x", 1), CREDITBOOK_RESULT_NULL_PARAMETER);
    creditbook_book_free(fresh);
    creditbook_book_free(book);
    memstore_free(&store);
}

/* Another till appends to the same account just before this one does. */
static void other_till_appends(memstore *store, const char *account, uint64_t expected) {
    (void)expected;
    if (store->hook_depth > 0) return;
    store->hook_depth++;
    creditbook_book *other = store->hook_data;
    charge(other, account, "other-till", 700, CREDITBOOK_RESULT_OK);
    store->hook_depth--;
    store->before_append = NULL;
}

static void test_conflicts(void) {
    memstore store;
    memstore_init(&store);
    creditbook_store_callbacks callbacks = memstore_callbacks(&store);
    creditbook_book *book = new_book(&callbacks);
    creditbook_book *other = new_book(&callbacks);
    open_account(book, "A-1", 50000);
    CHECK(summary_of(other, "A-1").balance_owed == 0); /* the other till has the account cached */

    /* one conflict: the book catches up, decides again and records */
    store.conflicts = 1;
    charge(book, "A-1", "c1", 1000, CREDITBOOK_RESULT_OK);
    CHECK(store.conflicts == 0 && memstore_version(&store, "A-1") == 2);

    /* a real concurrent writer: both charges are recorded, in order */
    store.before_append = other_till_appends;
    store.hook_data = other;
    charge(book, "A-1", "c2", 2000, CREDITBOOK_RESULT_OK);
    CHECK(memstore_version(&store, "A-1") == 4);
    CHECK(summary_of(book, "A-1").balance_owed == 3700);
    CHECK(summary_of(other, "A-1").balance_owed == 3700);

    /* a store that always conflicts: the book gives up, nothing recorded */
    store.conflicts = 1000;
    charge(book, "A-1", "c3", 1000, CREDITBOOK_RESULT_STORE_CONTENTION);
    CHECK(book_error_contains(book, "kept changing"));
    store.conflicts = 0;
    CHECK(memstore_version(&store, "A-1") == 4);
    creditbook_book_free(other);
    creditbook_book_free(book);
    memstore_free(&store);
}

/* From inside append: a read, and a write on another account, on the same book. */
static void reenter(memstore *store, const char *account, uint64_t expected) {
    (void)expected;
    if (store->hook_depth > 0 || strcmp(account, "A-1") != 0) return;
    store->hook_depth++;
    creditbook_book *book = store->hook_data;
    creditbook_summary s;
    CHECK_OK(creditbook_book_summary(book, "B-2", day(2026, 11, 30), &s));
    char op_id[64];
    snprintf(op_id, sizeof op_id, "nested-%u", (unsigned)store->appends);
    charge(book, "B-2", op_id, 100, CREDITBOOK_RESULT_OK);
    store->hook_depth--;
}

/* From inside append: a write on the same account (the outer append then conflicts). */
static void reenter_same_account(memstore *store, const char *account, uint64_t expected) {
    (void)account;
    (void)expected;
    if (store->hook_depth > 0) return;
    store->hook_depth++;
    charge(store->hook_data, "A-1", "nested-same", 300, CREDITBOOK_RESULT_OK);
    store->hook_depth--;
    store->before_append = NULL;
}

static void test_reentrant_callbacks(void) {
    memstore store;
    memstore_init(&store);
    creditbook_store_callbacks callbacks = memstore_callbacks(&store);
    creditbook_book *book = new_book(&callbacks);
    open_account(book, "A-1", 50000);
    open_account(book, "B-2", 50000);
    store.hook_data = book;
    store.before_append = reenter;
    charge(book, "A-1", "c1", 1000, CREDITBOOK_RESULT_OK);
    store.before_append = NULL;
    CHECK(summary_of(book, "A-1").balance_owed == 1000);
    CHECK(summary_of(book, "B-2").balance_owed == 100);

    store.before_append = reenter_same_account;
    charge(book, "A-1", "c2", 2000, CREDITBOOK_RESULT_OK);
    CHECK(summary_of(book, "A-1").balance_owed == 3300);
    CHECK(memstore_version(&store, "A-1") == 4);
    creditbook_book_free(book);
    memstore_free(&store);
}

/* A store that acknowledges appends without keeping them: the conformance kit must say so. */
static int32_t forgetful_append(void *user_data, const char *account, uint64_t expected_version,
                                const creditbook_record *records, size_t count) {
    (void)user_data;
    (void)account;
    (void)expected_version;
    (void)records;
    (void)count;
    return CREDITBOOK_STORE_OK;
}

/* The Store contract as a test kit, run through the C ABI on a host's callbacks. */
static void test_conformance_kit(void) {
    memstore store;
    memstore_init(&store);
    creditbook_store_callbacks callbacks = memstore_callbacks(&store);
    char *report = NULL;
    bool passed = false;
    CHECK_OK(creditbook_store_conformance(&callbacks, &passed, &report));
    CHECK(passed && report != NULL && strstr(report, "10 checks passed") != NULL);
    creditbook_string_free(report);
    report = NULL;
    creditbook_store_callbacks broken = callbacks;
    broken.append = forgetful_append;
    CHECK_OK(creditbook_store_conformance(&broken, &passed, &report));
    CHECK(!passed && report != NULL && strstr(report, "store conformance check") != NULL);
    creditbook_string_free(report);
    CHECK_RC(creditbook_store_conformance(NULL, &passed, &report), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_store_conformance(&callbacks, NULL, &report),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    memstore_free(&store);
}

void test_store(void) {
    test_conformance_kit();
    test_restart();
    test_failing_callbacks();
    test_conflicts();
    test_reentrant_callbacks();
}
