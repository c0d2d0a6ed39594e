/* A till on creditbook's C API: it keeps the store's accounts in one SQLite file (so they survive
 * restarts, crashes and power cuts), charges a sale to a customer's account, takes a payment, and
 * prints the customer's statement in French.
 *
 *   cc -std=c99 -D_POSIX_C_SOURCE=200809L till.c $(pkg-config --cflags --libs creditbook) -o till
 *   ./till accounts.sqlite3     # run it again: the account picks up where it was
 *
 * The file is creditbook's SQLite store (docs/stores.md): every operation is committed and fsynced
 * before the call returns, and two tills may open the same file at once. A host with a database of
 * its own gives creditbook_book_new its store as callbacks instead (tests/c/memstore.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "creditbook.h"

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
    creditbook_sqlite_store *store = NULL;
    char *why = NULL;
    creditbook_result opened = creditbook_sqlite_store_open(argv[1], &store, &why);
    if (opened != CREDITBOOK_RESULT_OK) {
        fprintf(stderr, "till: cannot open %s: %s (%s)\n", argv[1], why ? why : "",
                creditbook_result_name(opened));
        creditbook_string_free(why);
        return 1;
    }
    creditbook_settings *settings = NULL;
    const char *languages[] = {"fr", "en"};
    if (creditbook_settings_new("Quincaillerie Lapointe", "CAD", "America/Montreal", &settings) != 0 ||
        creditbook_settings_set_languages(settings, languages, 2, "fr") != 0 ||
        creditbook_book_new_sqlite(settings, store, NULL, NULL, &book) != 0) {
        fprintf(stderr, "till: cannot set the store up\n");
        return 1;
    }
    creditbook_settings_free(settings);
    creditbook_sqlite_store_free(store); /* the book keeps the file open until it is freed */

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
