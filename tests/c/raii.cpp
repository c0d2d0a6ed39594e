// The header from C++17: RAII wrappers own each handle, string and list, and a failed call throws
// with the handle's last error. Built with -Wall -Wextra -Werror by `make c-test`.
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "creditbook.h"

namespace creditbook {

// A string returned by creditbook, released with creditbook_string_free.
struct StringFree {
    void operator()(char *s) const { creditbook_string_free(s); }
};
using String = std::unique_ptr<char, StringFree>;

// Throws when `rc` is not OK, with the message `last_error` gives.
template <typename Handle, typename LastError>
void check(creditbook_result rc, const Handle *handle, LastError last_error) {
    if (rc == CREDITBOOK_RESULT_OK) return;
    char *raw = nullptr;
    std::string message = creditbook_result_name(rc);
    if (handle != nullptr && last_error(handle, &raw) == CREDITBOOK_RESULT_OK) {
        String owned(raw);
        message += std::string(": ") + owned.get();
    }
    throw std::runtime_error(message);
}

class Settings {
  public:
    Settings(const char *name, const char *currency, const char *timezone) {
        creditbook_settings *raw = nullptr;
        check(creditbook_settings_new(name, currency, timezone, &raw),
              static_cast<const creditbook_settings *>(nullptr), creditbook_settings_last_error);
        handle_.reset(raw);
    }
    void languages(const char *const *codes, std::size_t count, const char *own) {
        check(creditbook_settings_set_languages(handle_.get(), codes, count, own), handle_.get(),
              creditbook_settings_last_error);
    }
    const creditbook_settings *get() const { return handle_.get(); }

  private:
    struct Free {
        void operator()(creditbook_settings *s) const { creditbook_settings_free(s); }
    };
    std::unique_ptr<creditbook_settings, Free> handle_;
};

class Statement {
  public:
    explicit Statement(creditbook_statement *raw) : handle_(raw) {}
    creditbook_statement_figures figures() const {
        creditbook_statement_figures f;
        check(creditbook_statement_get_figures(handle_.get(), &f), handle_.get(),
              creditbook_statement_last_error);
        return f;
    }
    std::string render(uint32_t format, std::size_t width = 80) const {
        char *raw = nullptr;
        check(creditbook_statement_render(handle_.get(), format, width, &raw), handle_.get(),
              creditbook_statement_last_error);
        return String(raw).get();
    }

  private:
    struct Free {
        void operator()(creditbook_statement *s) const { creditbook_statement_free(s); }
    };
    std::unique_ptr<creditbook_statement, Free> handle_;
};

class Book {
  public:
    explicit Book(const Settings &settings) {
        creditbook_book *raw = nullptr;
        check(creditbook_book_new(settings.get(), nullptr, &raw),
              settings.get(), creditbook_settings_last_error);
        handle_.reset(raw);
    }
    void open(const char *account, const creditbook_operation &op, const char *name, int64_t limit) {
        creditbook_customer c{};
        c.id = account;
        c.name = name;
        check(creditbook_book_open_account(handle_.get(), account, &op, &c, CREDITBOOK_LIMIT_KIND_AMOUNT,
                                           limit, CREDITBOOK_TERMS_KIND_STORE, 0, nullptr),
              handle_.get(), creditbook_book_last_error);
    }
    creditbook_outcome charge(const char *account, const creditbook_operation &op, int64_t amount) {
        creditbook_outcome out{};
        check(creditbook_book_charge(handle_.get(), account, &op, amount, nullptr, nullptr, nullptr, &out),
              handle_.get(), creditbook_book_last_error);
        return out;
    }
    creditbook_summary summary(const char *account, creditbook_date as_of) const {
        creditbook_summary s{};
        check(creditbook_book_summary(handle_.get(), account, as_of, &s), handle_.get(),
              creditbook_book_last_error);
        return s;
    }
    Statement statement(const char *account, const creditbook_statement_request &request) const {
        creditbook_statement *raw = nullptr;
        check(creditbook_book_statement(handle_.get(), account, &request, &raw), handle_.get(),
              creditbook_book_last_error);
        return Statement(raw);
    }

  private:
    struct Free {
        void operator()(creditbook_book *b) const { creditbook_book_free(b); }
    };
    std::unique_ptr<creditbook_book, Free> handle_;
};

}  // namespace creditbook

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
    } catch (const std::runtime_error &e) {
        declined = std::strstr(e.what(), "CREDIT_LIMIT_EXCEEDED: credit limit exceeded: 180.00 available") != nullptr;
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
    } catch (const std::runtime_error &e) {
        refused = std::strstr(e.what(), "INVALID_INPUT") != nullptr;
    }
    expect(refused, "a bad width throws");
    std::printf("raii: %s\n", failures == 0 ? "ok" : "FAILED");
    return failures == 0 ? 0 : 1;
}
