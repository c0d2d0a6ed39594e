/* The C test suite: every function of include/creditbook.h, its error paths, the store callbacks,
 * threads, and the shared scenario vectors. Usage: tests SCENARIO_DIR. Prints "N passed, N failed"
 * and exits non-zero on any failure. */
#include <stdlib.h>

#include "check.h"

/* tests/c/test_hostile.c */
void test_hostile(void);
/* tests/c/test_scale.c */
void test_scale(void);

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s SCENARIO_DIR\n", argv[0]);
        return 2;
    }
    test_api();
    test_store();
    test_outreach();
    test_threads();
    test_sqlite();
    test_hostile();
    test_scale();
    test_scenarios(argv[1]);
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
