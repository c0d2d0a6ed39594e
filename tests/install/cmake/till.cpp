// A C++17 till on the installed creditbook.hpp: opens a SQLite file, charges, and prints the
// balance and a French statement line. Run twice over one file, the second run continues the
// first. A refused charge is a creditbook::Error with its code.
#include <cstdio>
#include <cstring>
#include <string>

#include <creditbook.hpp>

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DATAFILE\n", argv[0]);
        return 2;
    }
    try {
        creditbook::Settings settings("Quincaillerie Lapointe", "CAD", "America/Montreal");
        const char *languages[] = {"fr", "en"};
        settings.languages(languages, 2, "fr");
        creditbook::SqliteStore store(argv[1]);
        creditbook::Book book(settings, store);
        const int64_t at = 1793718000;  // 2026-11-03T15:00:00Z
        creditbook_summary before{};
        try {
            before = book.summary("C-7", creditbook_date{2026, 11, 3});
        } catch (const creditbook::Error &e) {
            if (e.code() != CREDITBOOK_RESULT_UNKNOWN_ACCOUNT) throw;
            book.open("C-7", creditbook_operation{"open", at, "manager", CREDITBOOK_PERMISSION_CREDIT_LIMIT},
                      "Marie Tremblay", 20000);
            std::printf("opened C-7\n");
        }
        std::string op = "sale-" + std::to_string(before.balance_owed);
        book.charge("C-7", creditbook_operation{op.c_str(), at, nullptr, 0}, 7500);
        std::printf("balance owed: %lld\n",
                    static_cast<long long>(book.summary("C-7", creditbook_date{2026, 11, 3}).balance_owed));
        try {
            book.charge("C-7", creditbook_operation{"too-much", at, nullptr, 0}, 1000000);
            std::printf("an over-limit charge went through\n");
            return 1;
        } catch (const creditbook::Error &e) {
            if (e.code() != CREDITBOOK_RESULT_CREDIT_LIMIT_EXCEEDED) throw;
            std::printf("refused: %s\n", e.what());
        }
        creditbook_statement_request request{};
        request.from = creditbook_date{2026, 11, 1};
        request.to = creditbook_date{2026, 11, 30};
        std::string text = book.statement("C-7", request).render(CREDITBOOK_STATEMENT_FORMAT_TEXT, 60);
        std::printf("statement in French: %s\n", text.find("Relevé") != std::string::npos ? "yes" : "no");
        std::printf("library %s\n", creditbook_version());
    } catch (const creditbook::Error &e) {
        std::fprintf(stderr, "till_cpp: %s\n", e.what());
        return 1;
    }
    return 0;
}
