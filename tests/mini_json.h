// Copyright 2026 The orderly Authors.
//
// mini_json.h: a small, strict JSON parser (RFC 8259) for tests, so that a
// test can check that what orderly writes parses and holds what it should,
// without a JSON library dependency.
//
//   std::optional<Json> doc = Json::Parse(text, &error);
//   ASSERT_TRUE(doc) << error;
//   const Json& events = (*doc)["traceEvents"];
//
// Strict: no trailing commas, no comments, no leading zeros, no raw control
// characters in strings, no trailing garbage, and strings must be valid
// UTF-8 (raw bytes and \u escapes, surrogate pairs matched). Strings are
// returned decoded, as UTF-8. Numbers are doubles. Object members keep their
// order; operator[] finds the first with a key, or a null value.
//
// Thread-safety: a parsed value is immutable; Parse is a pure function.

#ifndef ORDERLY_TESTS_MINI_JSON_H_
#define ORDERLY_TESTS_MINI_JSON_H_

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace orderly {

class Json {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  static std::optional<Json> Parse(absl::string_view text, std::string* error) {
    Parser p{text, 0, error};
    Json value;
    if (!p.Value(&value, 0)) return std::nullopt;
    p.Space();
    if (p.pos != text.size()) return p.Fail("trailing characters");
    return value;
  }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool boolean() const { return bool_; }
  double number() const { return number_; }
  const std::string& string() const { return string_; }
  const std::vector<Json>& array() const { return array_; }
  const std::vector<std::pair<std::string, Json>>& object() const {
    return object_;
  }
  bool has(absl::string_view key) const {
    for (const auto& [k, v] : object_) {
      if (k == key) return true;
    }
    return false;
  }
  const Json& operator[](absl::string_view key) const {
    static const Json* const kNull = new Json();
    for (const auto& [k, v] : object_) {
      if (k == key) return v;
    }
    return *kNull;
  }

 private:
  struct Parser {
    absl::string_view text;
    size_t pos;
    std::string* error;

    std::nullopt_t Fail(absl::string_view what) {
      if (error != nullptr) {
        *error = std::string(what) + " at offset " + std::to_string(pos);
      }
      return std::nullopt;
    }
    bool Fails(absl::string_view what) {
      Fail(what);
      return false;
    }
    void Space() {
      while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\n' ||
                                   text[pos] == '\r' || text[pos] == '\t')) {
        ++pos;
      }
    }
    bool Literal(absl::string_view word) {
      if (text.substr(pos, word.size()) != word) return Fails("bad literal");
      pos += word.size();
      return true;
    }
    bool Value(Json* out, int depth) {
      if (depth > 64) return Fails("nested too deep");
      Space();
      if (pos >= text.size()) return Fails("unexpected end");
      const char c = text[pos];
      if (c == '{') return Object(out, depth);
      if (c == '[') return Array(out, depth);
      if (c == '"') {
        out->type_ = Type::kString;
        return String(&out->string_);
      }
      if (c == 't' || c == 'f') {
        out->type_ = Type::kBool;
        out->bool_ = c == 't';
        return Literal(c == 't' ? "true" : "false");
      }
      if (c == 'n') return Literal("null");
      return Number(out);
    }
    bool Object(Json* out, int depth) {
      out->type_ = Type::kObject;
      ++pos;
      Space();
      if (pos < text.size() && text[pos] == '}') return ++pos, true;
      while (true) {
        Space();
        std::string key;
        if (pos >= text.size() || text[pos] != '"')
          return Fails("expected key");
        if (!String(&key)) return false;
        Space();
        if (pos >= text.size() || text[pos] != ':')
          return Fails("expected ':'");
        ++pos;
        Json value;
        if (!Value(&value, depth + 1)) return false;
        out->object_.emplace_back(std::move(key), std::move(value));
        Space();
        if (pos < text.size() && text[pos] == ',') {
          ++pos;
          continue;
        }
        if (pos < text.size() && text[pos] == '}') return ++pos, true;
        return Fails("expected ',' or '}'");
      }
    }
    bool Array(Json* out, int depth) {
      out->type_ = Type::kArray;
      ++pos;
      Space();
      if (pos < text.size() && text[pos] == ']') return ++pos, true;
      while (true) {
        Json value;
        if (!Value(&value, depth + 1)) return false;
        out->array_.push_back(std::move(value));
        Space();
        if (pos < text.size() && text[pos] == ',') {
          ++pos;
          continue;
        }
        if (pos < text.size() && text[pos] == ']') return ++pos, true;
        return Fails("expected ',' or ']'");
      }
    }
    bool Number(Json* out) {
      const size_t start = pos;
      const auto digits = [&] {
        const size_t from = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
        return pos - from;
      };
      if (pos < text.size() && text[pos] == '-') ++pos;
      const size_t int_start = pos;
      const size_t n = digits();
      if (n == 0) return Fails("bad value");
      if (n > 1 && text[int_start] == '0') return Fails("leading zero");
      if (pos < text.size() && text[pos] == '.') {
        ++pos;
        if (digits() == 0) return Fails("bad fraction");
      }
      if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
        ++pos;
        if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) ++pos;
        if (digits() == 0) return Fails("bad exponent");
      }
      out->type_ = Type::kNumber;
      out->number_ = std::strtod(
          std::string(text.substr(start, pos - start)).c_str(), nullptr);
      return true;
    }
    bool Hex4(uint32_t* out) {
      if (pos + 4 > text.size()) return Fails("short \\u escape");
      *out = 0;
      for (int i = 0; i < 4; ++i) {
        const char c = text[pos++];
        *out <<= 4;
        if (c >= '0' && c <= '9')
          *out |= c - '0';
        else if (c >= 'a' && c <= 'f')
          *out |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
          *out |= c - 'A' + 10;
        else
          return Fails("bad hex digit");
      }
      return true;
    }
    static void Utf8(uint32_t cp, std::string* out) {
      if (cp < 0x80) {
        *out += static_cast<char>(cp);
      } else if (cp < 0x800) {
        *out += static_cast<char>(0xC0 | cp >> 6);
        *out += static_cast<char>(0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        *out += static_cast<char>(0xE0 | cp >> 12);
        *out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
        *out += static_cast<char>(0x80 | (cp & 0x3F));
      } else {
        *out += static_cast<char>(0xF0 | cp >> 18);
        *out += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
        *out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
        *out += static_cast<char>(0x80 | (cp & 0x3F));
      }
    }
    // One raw UTF-8 sequence starting at pos (validated strictly).
    bool RawUtf8(std::string* out) {
      const auto b = [&](size_t i) {
        return static_cast<unsigned char>(text[pos + i]);
      };
      const unsigned char b0 = b(0);
      size_t len = 0;
      unsigned char lo = 0x80, hi = 0xBF;
      if (b0 >= 0xC2 && b0 <= 0xDF)
        len = 2;
      else if (b0 >= 0xE0 && b0 <= 0xEF)
        len = 3, lo = b0 == 0xE0 ? 0xA0 : lo, hi = b0 == 0xED ? 0x9F : hi;
      else if (b0 >= 0xF0 && b0 <= 0xF4)
        len = 4, lo = b0 == 0xF0 ? 0x90 : lo, hi = b0 == 0xF4 ? 0x8F : hi;
      else
        return Fails("invalid UTF-8 lead byte");
      if (pos + len > text.size() || b(1) < lo || b(1) > hi) {
        return Fails("invalid UTF-8");
      }
      for (size_t i = 2; i < len; ++i) {
        if ((b(i) & 0xC0) != 0x80) return Fails("invalid UTF-8");
      }
      out->append(text.substr(pos, len).data(), len);
      pos += len;
      return true;
    }
    bool String(std::string* out) {
      ++pos;  // The opening quote.
      while (true) {
        if (pos >= text.size()) return Fails("unterminated string");
        const unsigned char c = static_cast<unsigned char>(text[pos]);
        if (c == '"') return ++pos, true;
        if (c < 0x20) return Fails("raw control character in string");
        if (c >= 0x80) {
          if (!RawUtf8(out)) return false;
          continue;
        }
        ++pos;
        if (c != '\\') {
          *out += static_cast<char>(c);
          continue;
        }
        if (!Escape(out)) return false;
      }
    }
    // After a backslash: one escape sequence.
    bool Escape(std::string* out) {
      if (pos >= text.size()) return Fails("unterminated escape");
      const char e = text[pos++];
      switch (e) {
        case '"':
          *out += '"';
          break;
        case '\\':
          *out += '\\';
          break;
        case '/':
          *out += '/';
          break;
        case 'b':
          *out += '\b';
          break;
        case 'f':
          *out += '\f';
          break;
        case 'n':
          *out += '\n';
          break;
        case 'r':
          *out += '\r';
          break;
        case 't':
          *out += '\t';
          break;
        case 'u':
          return UnicodeEscape(out);
        default:
          return Fails("bad escape");
      }
      return true;
    }
    // After "\u": four hex digits, and a low surrogate after a high one.
    bool UnicodeEscape(std::string* out) {
      uint32_t cp;
      if (!Hex4(&cp)) return false;
      if (cp >= 0xDC00 && cp <= 0xDFFF) return Fails("lone low surrogate");
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        uint32_t low;
        if (text.substr(pos, 2) != "\\u") return Fails("lone surrogate");
        pos += 2;
        if (!Hex4(&low) || low < 0xDC00 || low > 0xDFFF) {
          return Fails("bad surrogate pair");
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      }
      Utf8(cp, out);
      return true;
    }
  };

  Type type_ = Type::kNull;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<Json> array_;
  std::vector<std::pair<std::string, Json>> object_;
};

}  // namespace orderly

#endif  // ORDERLY_TESTS_MINI_JSON_H_
