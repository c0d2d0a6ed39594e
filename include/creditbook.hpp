/**
 * \file creditbook.hpp
 * \brief creditbook for C++17: RAII owners of the C handles of creditbook.h, failures as
 * exceptions.
 *
 * Header-only: it adds no symbol to libcreditbook and needs nothing but creditbook.h and the
 * standard library. Everything here is inline over the C functions, so the C documentation
 * (creditbook.h) is the reference for what each call does and when it fails.
 *
 * - Each handle (creditbook::Settings, creditbook::SqliteStore, creditbook::Book,
 *   creditbook::Statement) owns one C handle and frees it in its destructor. They are move-only.
 *   `get()` gives the C handle for the calls this header does not wrap (it stays owned).
 * - Strings the library returns are released by creditbook::String (a std::unique_ptr).
 * - A failed call throws creditbook::Error: its `code()` is the creditbook_result, `what()` is
 *   "<RESULT_NAME>: <the handle's last error>" (the message with its figures, as
 *   creditbook_book_last_error gives it). Nothing is written to a wrapper when a call throws (the
 *   C convention: outputs written only on success).
 *
 * Why exceptions rather than `std::expected`-style results: std::expected is C++23 and this
 * header targets C++17 point-of-sale code bases; constructors (opening a book, a store) can only
 * report failure by throwing; and a refused charge must not be silently ignored by a caller that
 * forgets to look at a result. A host built with -fno-exceptions uses creditbook.h directly.
 * Never let an exception leave a callback given to the C library (creditbook.h: a callback must
 * return): catch it inside the callback and return a failure status.
 */
#ifndef CREDITBOOK_HPP
#define CREDITBOOK_HPP

#if !defined(__cplusplus) || __cplusplus < 201703L
#if !defined(_MSVC_LANG) || _MSVC_LANG < 201703L
#error "creditbook.hpp needs C++17 (C code includes creditbook.h)"
#endif
#endif

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "creditbook.h"

namespace creditbook {

/** A failed call: the creditbook_result and the message with its figures. */
class Error : public std::runtime_error {
  public:
    Error(creditbook_result code, const std::string &message)
        : std::runtime_error(message), code_(code) {}
    /** The creditbook_result of the failed call (never CREDITBOOK_RESULT_OK). */
    creditbook_result code() const noexcept { return code_; }

  private:
    creditbook_result code_;
};

/** Releases a string returned by creditbook with creditbook_string_free. */
struct StringFree {
    void operator()(char *s) const noexcept { creditbook_string_free(s); }
};
/** A string returned by creditbook, owned. */
using String = std::unique_ptr<char, StringFree>;

namespace detail {

/** Throws Error when `rc` is not OK, with the message `last_error(handle)` gives (if any). */
template <typename Handle, typename LastError>
inline void check(creditbook_result rc, const Handle *handle, LastError last_error) {
    if (rc == CREDITBOOK_RESULT_OK) return;
    std::string message = creditbook_result_name(rc);
    char *raw = nullptr;
    if (handle != nullptr && last_error(handle, &raw) == CREDITBOOK_RESULT_OK) {
        String owned(raw);
        message += ": ";
        message += owned.get();
    }
    throw Error(rc, message);
}

/** Throws Error when `rc` is not OK, with the message a constructor wrote to `raw` (if any). */
inline void check_with(creditbook_result rc, char *raw) {
    String owned(raw);
    if (rc == CREDITBOOK_RESULT_OK) return;
    std::string message = creditbook_result_name(rc);
    if (owned) {
        message += ": ";
        message += owned.get();
    }
    throw Error(rc, message);
}

inline std::string take(char *raw) { return std::string(String(raw).get()); }

}  // namespace detail

/** A store's settings (creditbook_settings): name, currency, time zone, languages, policies. */
class Settings {
  public:
    /** creditbook_settings_new: throws Error (UNKNOWN_CURRENCY, UNKNOWN_TIME_ZONE, ...). */
    Settings(const char *name, const char *currency, const char *timezone) {
        creditbook_settings *raw = nullptr;
        detail::check(creditbook_settings_new(name, currency, timezone, &raw),
                      static_cast<const creditbook_settings *>(nullptr),
                      creditbook_settings_last_error);
        handle_.reset(raw);
    }
    /** creditbook_settings_set_languages: the languages offered, `own` the store's. */
    void languages(const char *const *codes, std::size_t count, const char *own) {
        detail::check(creditbook_settings_set_languages(handle_.get(), codes, count, own),
                      handle_.get(), creditbook_settings_last_error);
    }
    /** The C handle, still owned by this object. */
    creditbook_settings *get() const noexcept { return handle_.get(); }

  private:
    struct Free {
        void operator()(creditbook_settings *s) const noexcept { creditbook_settings_free(s); }
    };
    std::unique_ptr<creditbook_settings, Free> handle_;
};

/** A durable store in one SQLite file (creditbook_sqlite_store). Outlives the books over it. */
class SqliteStore {
  public:
    /** creditbook_sqlite_store_open: throws Error (STORE_FAILED with the reason). */
    explicit SqliteStore(const char *path) {
        creditbook_sqlite_store *raw = nullptr;
        char *error = nullptr;
        creditbook_result rc = creditbook_sqlite_store_open(path, &raw, &error);
        detail::check_with(rc, error);
        handle_.reset(raw);
    }
    /** The C handle, still owned by this object. */
    creditbook_sqlite_store *get() const noexcept { return handle_.get(); }

  private:
    struct Free {
        void operator()(creditbook_sqlite_store *s) const noexcept {
            creditbook_sqlite_store_free(s);
        }
    };
    std::unique_ptr<creditbook_sqlite_store, Free> handle_;
};

/** A statement made by Book::statement (creditbook_statement). */
class Statement {
  public:
    /** Takes ownership of `raw` (from creditbook_book_statement). */
    explicit Statement(creditbook_statement *raw) noexcept : handle_(raw) {}
    /** creditbook_statement_get_figures. */
    creditbook_statement_figures figures() const {
        creditbook_statement_figures f{};
        detail::check(creditbook_statement_get_figures(handle_.get(), &f), handle_.get(),
                      creditbook_statement_last_error);
        return f;
    }
    /** creditbook_statement_render: `format` a CREDITBOOK_STATEMENT_FORMAT_*. */
    std::string render(uint32_t format, std::size_t width = 80) const {
        char *raw = nullptr;
        detail::check(creditbook_statement_render(handle_.get(), format, width, &raw),
                      handle_.get(), creditbook_statement_last_error);
        return detail::take(raw);
    }
    /** The C handle, still owned by this object. */
    creditbook_statement *get() const noexcept { return handle_.get(); }

  private:
    struct Free {
        void operator()(creditbook_statement *s) const noexcept { creditbook_statement_free(s); }
    };
    std::unique_ptr<creditbook_statement, Free> handle_;
};

/** The book of a store's customer accounts (creditbook_book). Usable from several threads. */
class Book {
  public:
    /** creditbook_book_new over an in-memory store (`store` NULL) or the host's callbacks. */
    explicit Book(const Settings &settings, const creditbook_store_callbacks *store = nullptr) {
        creditbook_book *raw = nullptr;
        detail::check(creditbook_book_new(settings.get(), store, &raw), settings.get(),
                      creditbook_settings_last_error);
        handle_.reset(raw);
    }
    /** creditbook_book_new_sqlite, without mailer or payment provider. */
    Book(const Settings &settings, const SqliteStore &store) {
        creditbook_book *raw = nullptr;
        detail::check(creditbook_book_new_sqlite(settings.get(), store.get(), nullptr, nullptr, &raw),
                      settings.get(), creditbook_settings_last_error);
        handle_.reset(raw);
    }
    /** creditbook_book_open_account with a limit in minor units and the store's terms. */
    void open(const char *account, const creditbook_operation &op, const char *name,
              int64_t limit) {
        creditbook_customer c{};
        c.id = account;
        c.name = name;
        detail::check(creditbook_book_open_account(handle_.get(), account, &op, &c,
                                                   CREDITBOOK_LIMIT_KIND_AMOUNT, limit,
                                                   CREDITBOOK_TERMS_KIND_STORE, 0, nullptr),
                      handle_.get(), creditbook_book_last_error);
    }
    /** creditbook_book_charge of `amount` minor units; a declined charge throws. */
    creditbook_outcome charge(const char *account, const creditbook_operation &op, int64_t amount) {
        creditbook_outcome out{};
        detail::check(creditbook_book_charge(handle_.get(), account, &op, amount, nullptr, nullptr,
                                             nullptr, &out),
                      handle_.get(), creditbook_book_last_error);
        return out;
    }
    /** creditbook_book_summary as of a business date. */
    creditbook_summary summary(const char *account, creditbook_date as_of) const {
        creditbook_summary s{};
        detail::check(creditbook_book_summary(handle_.get(), account, as_of, &s), handle_.get(),
                      creditbook_book_last_error);
        return s;
    }
    /** creditbook_book_statement. */
    Statement statement(const char *account, const creditbook_statement_request &request) const {
        creditbook_statement *raw = nullptr;
        detail::check(creditbook_book_statement(handle_.get(), account, &request, &raw),
                      handle_.get(), creditbook_book_last_error);
        return Statement(raw);
    }
    /** The C handle, still owned by this object. */
    creditbook_book *get() const noexcept { return handle_.get(); }

  private:
    struct Free {
        void operator()(creditbook_book *b) const noexcept { creditbook_book_free(b); }
    };
    std::unique_ptr<creditbook_book, Free> handle_;
};

}  // namespace creditbook

#endif  // CREDITBOOK_HPP
