// The shipped C++17 header include/creditbook.hpp: its RAII wrappers own each handle and string,
// and a failed call throws creditbook::Error with the result code and the handle's last error.
// Built with -Wall -Wextra -Werror by `make c-test`.
#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <cstring>
#include <string>

#include "creditbook.hpp"

static int failures = 0;

static void expect(bool ok, const char *what) {
    if (!ok) {
        std::fprintf(stderr, "raii.cpp: FAILED: %s\n", what);
        failures++;
    }
}

int main() {
    creditbook::Settings settings("Quincaillerie Lapointe", "CAD", "America/Montreal");
    const char *languages[] = {"fr", "en"};
    settings.languages(languages, 2, "fr");
    creditbook::Book book(settings);
    const int64_t at = 1793718000;  // 2026-11-03T15:00:00Z
    // Granting credit needs the permission: a manager opens the account.
    book.open("C-1", creditbook_operation{"o1", at, "manager", CREDITBOOK_PERMISSION_CREDIT_LIMIT},
              "Marie Tremblay", 50000);
    creditbook_outcome charged = book.charge("C-1", creditbook_operation{"o2", at, nullptr, 0}, 32000);
    expect(charged.invoice == 2, "the charge opened invoice 2");

    bool declined = false;
    try {
        book.charge("C-1", creditbook_operation{"o3", at, nullptr, 0}, 25000);
    } catch (const creditbook::Error &e) {
        declined = e.code() == CREDITBOOK_RESULT_CREDIT_LIMIT_EXCEEDED &&
                   std::strstr(e.what(), "CREDIT_LIMIT_EXCEEDED: credit limit exceeded: 180.00 available") != nullptr;
    }
    expect(declined, "an over-limit charge throws with the figures");
    expect(book.summary("C-1", creditbook_date{2026, 11, 3}).balance_owed == 32000, "balance owed");

    creditbook_statement_request request{};
    request.from = creditbook_date{2026, 11, 1};
    request.to = creditbook_date{2026, 11, 30};
    creditbook::Statement statement = book.statement("C-1", request);
    expect(statement.figures().closing_balance == 32000, "closing balance");
    std::string text = statement.render(CREDITBOOK_STATEMENT_FORMAT_TEXT, 48);
    expect(text.find("320,00") != std::string::npos, "a French statement");
    bool refused = false;
    try {
        statement.render(CREDITBOOK_STATEMENT_FORMAT_TEXT, 10);
    } catch (const creditbook::Error &e) {
        refused = e.code() == CREDITBOOK_RESULT_INVALID_INPUT && std::strstr(e.what(), "INVALID_INPUT") != nullptr;
    }
    expect(refused, "a bad width throws");

    bool unknown = false;
    try {
        creditbook::Settings bad("Shop", "XYZ", "America/Montreal");
    } catch (const creditbook::Error &e) {
        unknown = e.code() == CREDITBOOK_RESULT_UNKNOWN_CURRENCY &&
                  std::strncmp(e.what(), "UNKNOWN_CURRENCY", 16) == 0;
    }
    expect(unknown, "a constructor throws with the result's name");

    // A SQLite store: what the book records is there when the file is opened again; a file that
    // is not a creditbook database throws STORE_FAILED with the store's reason.
    char dir[] = "/tmp/creditbook-raii-XXXXXX";
    expect(mkdtemp(dir) != nullptr, "a temporary directory");
    std::string path = std::string(dir) + "/till.db";
    {
        creditbook::SqliteStore store(path.c_str());
        creditbook::Book durable(settings, store);
        durable.open("C-2", creditbook_operation{"o1", at, "manager", CREDITBOOK_PERMISSION_CREDIT_LIMIT},
                     "Luc Gagnon", 10000);
        durable.charge("C-2", creditbook_operation{"o2", at, nullptr, 0}, 4250);
    }
    {
        creditbook::SqliteStore store(path.c_str());
        creditbook::Book reopened(settings, store);
        expect(reopened.summary("C-2", creditbook_date{2026, 11, 3}).balance_owed == 4250,
               "the SQLite store kept the charge");
    }
    std::string junk = std::string(dir) + "/junk.db";
    std::FILE *f = std::fopen(junk.c_str(), "w");
    expect(f != nullptr && std::fputs("not a database, only text\n", f) >= 0, "a junk file");
    if (f != nullptr) std::fclose(f);
    bool store_failed = false;
    try {
        creditbook::SqliteStore store(junk.c_str());
    } catch (const creditbook::Error &e) {
        store_failed = e.code() == CREDITBOOK_RESULT_STORE_FAILED &&
                       std::strstr(e.what(), "STORE_FAILED: store failed (code 26): ") == e.what() &&
                       std::strstr(e.what(), "is not a creditbook database") != nullptr;
    }
    expect(store_failed, "a junk file throws STORE_FAILED with the reason");
    std::remove(path.c_str());
    std::remove(junk.c_str());
    std::string wal = path + "-wal", shm = path + "-shm";
    std::remove(wal.c_str());
    std::remove(shm.c_str());
    rmdir(dir);

    std::printf("raii: %s\n", failures == 0 ? "ok" : "FAILED");
    return failures == 0 ? 0 : 1;
}
