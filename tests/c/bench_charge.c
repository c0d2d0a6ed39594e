/* make bench-c: one million charges through creditbook_book_charge, timed with clock_gettime, as
 * ffi/benches/charge_loop.rs times the same charges through Book::charge from Rust. Both use the
 * embedded store, an account with a large limit, 12.50 per charge and operation ids made before
 * the clock starts; the difference is the cost of the C boundary. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "creditbook.h"

#define CHARGES 1000000
#define ROUNDS 5

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(void) {
    const int64_t at = 1767625200; /* 2026-01-05T15:00:00Z, as the Rust bench */
    char (*ids)[24] = malloc(sizeof(*ids) * CHARGES);
    if (ids == NULL) return 1;
    double best = 1e30;
    for (int round = 0; round < ROUNDS; round++) {
        creditbook_settings *settings = NULL;
        creditbook_book *book = NULL;
        if (creditbook_settings_new("Bench", "CAD", "America/Toronto", &settings) != 0 ||
            creditbook_book_new(settings, NULL, &book) != 0)
            return 1;
        creditbook_settings_free(settings);
        creditbook_customer customer = {"c1", "Bench Customer", NULL, NULL, {NULL, 0, NULL, NULL, NULL, NULL}};
        creditbook_operation open = {"open", at, NULL, 0};
        if (creditbook_book_open_account(book, "C-1", &open, &customer, CREDITBOOK_LIMIT_KIND_AMOUNT,
                                         1000000000000000000, CREDITBOOK_TERMS_KIND_STORE, 0, NULL) != 0)
            return 1;
        for (int n = 0; n < CHARGES; n++) snprintf(ids[n], sizeof ids[n], "op-%d-%d", round, n);
        creditbook_operation op = {NULL, at, NULL, 0};
        creditbook_outcome out;
        double start = now_ns();
        for (int n = 0; n < CHARGES; n++) {
            op.op_id = ids[n];
            if (creditbook_book_charge(book, "C-1", &op, 1250, NULL, NULL, NULL, &out) != 0) return 1;
        }
        double ns = (now_ns() - start) / CHARGES;
        printf("c: round %d: %.1f ns per charge\n", round, ns);
        if (ns < best) best = ns;
        creditbook_book_free(book);
    }
    printf("c: best of %d rounds of %d charges: %.1f ns per charge\n", ROUNDS, CHARGES, best);
    free(ids);
    return 0;
}
