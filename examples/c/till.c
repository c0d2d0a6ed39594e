/* A till on creditbook's C API: it keeps the store's accounts in an append-only file through the
 * store callbacks (so they survive restarts), charges a sale to a customer's account, takes a
 * payment, and prints the customer's statement in French.
 *
 *   cc -std=c99 -D_POSIX_C_SOURCE=200809L till.c $(pkg-config --cflags --libs creditbook) -o till
 *   ./till accounts.log     # run it again: the account picks up where it was
 *
 * The file holds one line per ledger entry: "<account>\t<seq>\t<record>", where <record> is the
 * entry's persisted JSON (one line, versioned). A real till would use its database, with the
 * append in one transaction; this file is for one till at a time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "creditbook.h"

/* ---- the store: an append-only file ---- */

typedef struct file_store {
    const char *path;
} file_store;

/* Calls `line` for each line of the file (none when it does not exist yet); stops early when
 * `line` returns non-zero, and returns that. */
static int each_line(const char *path, int (*line)(char *account, uint64_t seq, char *record, void *data),
                     void *data) {
    FILE *f = fopen(path, "r");
    if (f == NULL) return 0;
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len;
    int stop = 0;
    while (!stop && (len = getline(&buf, &cap, f)) > 0) {
        if (buf[len - 1] == '\n') buf[--len] = '\0';
        char *tab1 = strchr(buf, '\t');
        char *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        if (tab2 == NULL) continue; /* a torn last line: never written whole, so never appended */
        *tab1 = *tab2 = '\0';
        stop = line(buf, strtoull(tab1 + 1, NULL, 10), tab2 + 1, data);
    }
    free(buf);
    fclose(f);
    return stop;
}

typedef struct load_job {
    const char *account;
    uint64_t after;
    creditbook_entry_sink *sink;
    uint64_t version;
} load_job;

static int load_line(char *account, uint64_t seq, char *record, void *data) {
    load_job *job = data;
    if (strcmp(account, job->account) != 0) return 0;
    job->version = seq;
    if (seq > job->after && job->sink != NULL &&
        creditbook_entry_sink_push(job->sink, record, strlen(record)) != CREDITBOOK_RESULT_OK)
        return 1; /* a record this library cannot read: the load fails */
    return 0;
}

static int32_t store_load(void *user_data, const char *account, uint64_t after, creditbook_entry_sink *sink) {
    file_store *store = user_data;
    load_job job = {account, after, sink, 0};
    return each_line(store->path, load_line, &job) ? 1 : CREDITBOOK_STORE_OK;
}

static int32_t store_append(void *user_data, const char *account, uint64_t expected_version,
                            const creditbook_record *records, size_t count) {
    file_store *store = user_data;
    load_job job = {account, 0, NULL, 0};
    each_line(store->path, load_line, &job);
    if (job.version != expected_version) return CREDITBOOK_STORE_CONFLICT;
    FILE *f = fopen(store->path, "a");
    if (f == NULL) return 2;
    for (size_t i = 0; i < count; i++)
        fprintf(f, "%s\t%llu\t%s\n", account, (unsigned long long)records[i].seq, records[i].text);
    int failed = fflush(f) != 0;
    failed |= fclose(f) != 0;
    return failed ? 3 : CREDITBOOK_STORE_OK;
}

typedef struct ids_job {
    creditbook_id_sink *sink;
} ids_job;

static int id_line(char *account, uint64_t seq, char *record, void *data) {
    (void)record;
    ids_job *job = data;
    if (seq == 1) creditbook_id_sink_push(job->sink, account, strlen(account)); /* opened here */
    return 0;
}

static int32_t store_account_ids(void *user_data, creditbook_id_sink *sink) {
    file_store *store = user_data;
    ids_job job = {sink};
    each_line(store->path, id_line, &job);
    return CREDITBOOK_STORE_OK;
}

/* ---- the till ---- */

static creditbook_book *book;

/* Stops the till with creditbook's reason when a call fails. */
static void must(creditbook_result rc, const char *what) {
    if (rc == CREDITBOOK_RESULT_OK) return;
    char *message = NULL;
    creditbook_book_last_error(book, &message);
    fprintf(stderr, "till: %s: %s (%s)\n", what, message ? message : "", creditbook_result_name(rc));
    creditbook_string_free(message);
    exit(1);
}

static const char *money(int64_t cents) {
    static char text[4][32];
    static int next = 0;
    char *s = NULL;
    char *slot = text[next++ % 4];
    if (creditbook_amount_to_string(cents, "CAD", &s) != CREDITBOOK_RESULT_OK) return "?";
    snprintf(slot, sizeof text[0], "%s $", s);
    creditbook_string_free(s);
    return slot;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DATAFILE\n", argv[0]);
        return 2;
    }
    file_store file = {argv[1]};
    creditbook_store_callbacks store = {&file, store_load, store_append, store_account_ids};
    creditbook_settings *settings = NULL;
    const char *languages[] = {"fr", "en"};
    if (creditbook_settings_new("Quincaillerie Lapointe", "CAD", "America/Montreal", &settings) != 0 ||
        creditbook_settings_set_languages(settings, languages, 2, "fr") != 0 ||
        creditbook_book_new(settings, &store, &book) != 0) {
        fprintf(stderr, "till: cannot set the store up\n");
        return 1;
    }
    creditbook_settings_free(settings);

    const char *account = "C-100";
    creditbook_summary summary;
    creditbook_date today = {2026, 11, 30};
    creditbook_result rc = creditbook_book_summary(book, account, today, &summary);
    if (rc == CREDITBOOK_RESULT_UNKNOWN_ACCOUNT) {
        creditbook_customer customer;
        memset(&customer, 0, sizeof customer);
        customer.id = "cust-17";
        customer.name = "Marie Tremblay";
        customer.language = "fr";
        /* Granting credit needs the permission: the manager opens the account. */
        creditbook_operation op = {"open-C-100", 1793631600 /* 2026-11-02T15:00:00Z */, "gerant",
                                   CREDITBOOK_PERMISSION_CREDIT_LIMIT};
        must(creditbook_book_open_account(book, account, &op, &customer, CREDITBOOK_LIMIT_KIND_AMOUNT,
                                          50000, CREDITBOOK_TERMS_KIND_STORE, 0, NULL),
             "open the account");
        printf("compte %s ouvert, limite %s\n", account, money(50000));
    } else {
        must(rc, "read the account");
    }

    /* this run's number: the charges already on the account, plus one */
    creditbook_activity *activity = NULL;
    const uint32_t charges[] = {CREDITBOOK_ENTRY_TYPE_CHARGE};
    must(creditbook_book_activity(book, account, (creditbook_date){2000, 1, 1}, today, charges, 1, &activity),
         "read the activity");
    unsigned run = (unsigned)activity->len + 1;
    creditbook_activity_free(activity);
    int64_t at = 1793631600 + (int64_t)run * 86400; /* a day later each run */

    char op_id[64], sale[32];
    snprintf(op_id, sizeof op_id, "sale-%u", run);
    snprintf(sale, sizeof sale, "S-%u", run);
    creditbook_operation op = {op_id, at, "caisse-1", 0};
    creditbook_outcome out;
    int64_t max = 0;
    must(creditbook_book_max_charge(book, account, 12000, at, &max), "check the credit");
    if (max < 12000) {
        printf("passage %u: crédit insuffisant (%s disponibles)\n", run, money(max));
    } else {
        must(creditbook_book_charge(book, account, &op, 12000, sale, NULL, NULL, &out), "charge the sale");
        printf("passage %u: vente %s portée au compte: %s, facture %llu, échéance %04d-%02u-%02u\n", run,
               sale, money(12000), (unsigned long long)out.invoice, out.due_date.year, out.due_date.month,
               out.due_date.day);
    }
    snprintf(op_id, sizeof op_id, "payment-%u", run);
    must(creditbook_book_pay(book, account, &op, 5000, NULL, 0, "comptant", &out), "take the payment");
    printf("passage %u: paiement reçu: %s\n", run, money(5000));

    must(creditbook_book_summary(book, account, today, &summary), "read the account");
    printf("passage %u: solde dû %s, crédit disponible %s\n\n", run, money(summary.balance_owed),
           money(summary.available));

    creditbook_statement_request request;
    memset(&request, 0, sizeof request);
    request.from = (creditbook_date){2026, 11, 1};
    request.to = today;
    request.language = "fr";
    creditbook_statement *statement = NULL;
    char *text = NULL;
    must(creditbook_book_statement(book, account, &request, &statement), "make the statement");
    creditbook_result rendered = creditbook_statement_render(statement, CREDITBOOK_STATEMENT_FORMAT_TEXT, 48, &text);
    creditbook_statement_free(statement);
    must(rendered, "print the statement");
    fputs(text, stdout);
    creditbook_string_free(text);
    creditbook_book_free(book);
    return 0;
}
