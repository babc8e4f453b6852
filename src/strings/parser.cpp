// KeOps formula strings: lexer, recursive-descent parser (Python's precedence), aliases, reductions.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <kokkeops/strings.hpp>
#include <string>

#include "catalogue.hpp"

namespace kokkeops::strings {

namespace {

std::string caret_message(const std::string& reason, std::string_view text, int column) {
  std::string shown(text);  // one line, so that the caret lines up
  for (char& ch : shown)
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
  std::string m = "formula string: " + reason + "\n  " + shown + "\n  ";
  m.append(static_cast<std::size_t>(std::max(column, 0)), ' ');
  return m + "^";
}

}  // namespace

FormulaError::FormulaError(const std::string& reason, std::string_view text, int column)
    : Error(caret_message(reason, text, column)), reason_(reason), column_(column) {}

namespace {

constexpr int kMaxDepth = 200;

enum class Tok { name, integer, real, lparen, rparen, comma, plus, minus, star, slash, power, bar, equal, end };

struct Token {
  Tok kind;
  std::string_view text;
  int column;
};

const char* describe(Tok t) {
  switch (t) {
    case Tok::name: return "a name";
    case Tok::integer: return "an integer";
    case Tok::real: return "a number";
    case Tok::lparen: return "'('";
    case Tok::rparen: return "')'";
    case Tok::comma: return "','";
    case Tok::plus: return "'+'";
    case Tok::minus: return "'-'";
    case Tok::star: return "'*'";
    case Tok::slash: return "'/'";
    case Tok::power: return "'**'";
    case Tok::bar: return "'|'";
    case Tok::equal: return "'='";
    case Tok::end: return "the end of the string";
  }
  return "?";
}

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::vector<Token> lex(std::string_view text) {
  std::vector<Token> out;
  std::size_t p = 0;
  while (p < text.size()) {
    const char c = text[p];
    const int col = static_cast<int>(p);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++p;
    } else if (is_name_start(c)) {
      std::size_t q = p;
      while (q < text.size() && (is_name_start(text[q]) || is_digit(text[q]))) ++q;
      out.push_back({Tok::name, text.substr(p, q - p), col});
      p = q;
    } else if (is_digit(c) || (c == '.' && p + 1 < text.size() && is_digit(text[p + 1]))) {
      std::size_t q = p;
      bool real = false;
      while (q < text.size() && is_digit(text[q])) ++q;
      if (q < text.size() && text[q] == '.') {
        real = true;
        ++q;
        while (q < text.size() && is_digit(text[q])) ++q;
      }
      if (q < text.size() && (text[q] == 'e' || text[q] == 'E')) {
        std::size_t r = q + 1;
        if (r < text.size() && (text[r] == '+' || text[r] == '-')) ++r;
        if (r < text.size() && is_digit(text[r])) {
          real = true;
          q = r;
          while (q < text.size() && is_digit(text[q])) ++q;
        }
      }
      if (q < text.size() && (is_name_start(text[q]) || text[q] == '.'))
        throw FormulaError("malformed number '" + std::string(text.substr(p, q + 1 - p)) + "'", text, col);
      out.push_back({real ? Tok::real : Tok::integer, text.substr(p, q - p), col});
      p = q;
    } else {
      Tok k;
      std::size_t len = 1;
      switch (c) {
        case '(': k = Tok::lparen; break;
        case ')': k = Tok::rparen; break;
        case ',': k = Tok::comma; break;
        case '+': k = Tok::plus; break;
        case '-': k = Tok::minus; break;
        case '/': k = Tok::slash; break;
        case '|': k = Tok::bar; break;
        case '=': k = Tok::equal; break;
        case '*':
          k = Tok::star;
          if (p + 1 < text.size() && text[p + 1] == '*') {
            k = Tok::power;
            len = 2;
          }
          break;
        default: {
          const unsigned char u = static_cast<unsigned char>(c);
          char buf[16];
          std::snprintf(buf, sizeof buf, u >= 32 && u < 127 ? "'%c'" : "byte 0x%02x", u);
          throw FormulaError(std::string("unexpected character ") + buf, text, col);
        }
      }
      out.push_back({k, text.substr(p, len), col});
      p += len;
    }
  }
  out.push_back({Tok::end, text.substr(text.size()), static_cast<int>(text.size())});
  return out;
}

// Edit distance, for "did you mean".
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) == std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string suggestion(std::string_view name, const std::vector<std::string_view>& candidates) {
  std::string_view best;
  std::size_t bd = std::max<std::size_t>(2, name.size() / 3) + 1;
  for (std::string_view c : candidates) {
    const std::size_t dd = distance(name, c);
    if (dd < bd) {
      bd = dd;
      best = c;
    }
  }
  return best.empty() ? std::string() : " (did you mean '" + std::string(best) + "'?)";
}

bool reserved(std::string_view n) {
  return detail::find_op(n) || n == "Vi" || n == "Vj" || n == "Pm" || n == "Var" || n == "Ind" || n == "IntCst" ||
         n == "Constant";
}

long to_long(const Token& t, std::string_view text) {
  errno = 0;
  const std::string s(t.text);
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 10);
  if (errno == ERANGE || v > 1000000000L) throw FormulaError("integer " + s + " is too large", text, t.column);
  return v;
}

// Token cursor over one string (a formula or an alias).
struct Cursor {
  std::string_view text;
  std::vector<Token> toks;
  std::size_t at = 0;

  const Token& peek() const { return toks[at]; }
  const Token& next() { return toks[at++]; }
  [[noreturn]] void fail(const std::string& reason, int column) const { throw FormulaError(reason, text, column); }
  const Token& expect(Tok k, const char* what) {
    if (peek().kind != k)
      fail(std::string("expected ") + what + ", found " + describe(peek().kind) +
               (peek().kind == Tok::end ? "" : " '" + std::string(peek().text) + "'"),
           peek().column);
    return next();
  }
  // An integer literal with an optional sign.
  long integer(const char* what) {
    const int col = peek().column;
    bool neg = false;
    if (peek().kind == Tok::minus || peek().kind == Tok::plus) neg = next().kind == Tok::minus;
    if (peek().kind != Tok::integer) fail(std::string("expected an integer (") + what + ")", col);
    const long v = to_long(next(), text);
    return neg ? -v : v;
  }
};

// Vi(dim), Vi(pos, dim), Vj(...), Pm(...), Var(pos, dim, cat), after the name; `index` is the alias's
// place (the default position), -1 for an inline variable (which must give its position).
Variable variable_call(Cursor& c, const Token& name, int index) {
  Variable v;
  c.expect(Tok::lparen, "'('");
  std::vector<long> a;
  std::vector<int> cols;
  while (c.peek().kind != Tok::rparen) {
    cols.push_back(c.peek().column);
    a.push_back(c.integer("a variable's position, dimension or category"));
    if (c.peek().kind != Tok::comma) break;
    c.next();
  }
  c.expect(Tok::rparen, "')'");
  if (name.text == "Var") {
    if (a.size() != 3) c.fail("Var(position, dimension, category) takes 3 integers, got " + std::to_string(a.size()), name.column);
    if (a[2] < 0 || a[2] > 2) c.fail("a variable's category is 0 (Vi), 1 (Vj) or 2 (Pm), got " + std::to_string(a[2]), cols[2]);
    v.cat = static_cast<VarCat>(a[2]);
    a.pop_back();
  } else {
    v.cat = name.text == "Vi" ? VarCat::i : name.text == "Vj" ? VarCat::j : VarCat::parameter;
    if (a.size() == 1 && index < 0)
      c.fail(std::string(name.text) + "(dim) needs an alias (`x = " + std::string(name.text) +
                 "(3)`); inline, give the position: " + std::string(name.text) + "(position, dim)",
             name.column);
    if (a.size() == 1) a.insert(a.begin(), index), cols.insert(cols.begin(), name.column);
    if (a.size() != 2)
      c.fail(std::string(name.text) + " takes (dim) or (position, dim), got " + std::to_string(a.size()) + " integers", name.column);
  }
  if (a[0] < 0 || a[0] > 4096) c.fail("a variable's position must be in [0, 4096], got " + std::to_string(a[0]), cols[0]);
  if (a[1] < 1 || a[1] > 65536) c.fail("a variable's dimension must be in [1, 65536], got " + std::to_string(a[1]), cols[1]);
  v.position = static_cast<int>(a[0]);
  v.dim = static_cast<int>(a[1]);
  return v;
}

const char* cat_name(VarCat c) { return c == VarCat::i ? "Vi" : c == VarCat::j ? "Vj" : "Pm"; }

class Parser {
 public:
  Parser(std::string_view text, std::vector<Variable>& vars) : c_{text, lex(text)}, vars_(vars) {}

  Node formula() {
    Node n = expr(0);
    if (c_.peek().kind != Tok::end)
      c_.fail(std::string("unexpected ") + describe(c_.peek().kind) + " '" + std::string(c_.peek().text) + "' after a complete formula",
              c_.peek().column);
    return n;
  }

 private:
  Cursor c_;
  std::vector<Variable>& vars_;

  void deeper(int depth, int column) const {
    if (depth > kMaxDepth) c_.fail("the formula is nested deeper than " + std::to_string(kMaxDepth) + " levels", column);
  }

  Node make(std::string op, std::vector<Node> args, int column) {
    Node n;
    n.op = std::move(op);
    n.args = std::move(args);
    n.column = column;
    return n;
  }
  Node checked(Node n) {
    const detail::OpSpec* spec = detail::find_op(n.op);
    std::string why;
    n.dim = spec->dim(n, why);
    if (n.dim < 0) c_.fail(why, n.column);
    return n;
  }

  // expr := sum ('|' sum)*     (Scalprod binds loosest, as Python's '|')
  // `depth` is the depth of the tree being built: parentheses, call arguments, signs, exponents and each
  // operator of a chain (`a + b + c` is Add(Add(a, b), c)). Limited, so that neither the parser's recursion
  // nor the tree's (printing, destruction) can overflow the stack.
  Node expr(int depth) {
    deeper(depth, c_.peek().column);
    Node n = sum(depth);
    while (c_.peek().kind == Tok::bar) {
      const int col = c_.next().column;
      deeper(++depth, col);  // a chain of n operators is a tree n deep
      n = checked(make("Scalprod", {std::move(n), sum(depth)}, col));
    }
    return n;
  }
  Node sum(int depth) {
    Node n = product(depth);
    while (c_.peek().kind == Tok::plus || c_.peek().kind == Tok::minus) {
      const Token& t = c_.next();
      deeper(++depth, t.column);
      n = checked(make(t.kind == Tok::plus ? "Add" : "Subtract", {std::move(n), product(depth)}, t.column));
    }
    return n;
  }
  Node product(int depth) {
    Node n = unary(depth);
    while (c_.peek().kind == Tok::star || c_.peek().kind == Tok::slash) {
      const Token& t = c_.next();
      deeper(++depth, t.column);
      n = checked(make(t.kind == Tok::star ? "Mult" : "Divide", {std::move(n), unary(depth)}, t.column));
    }
    return n;
  }
  // unary := ('-' | '+') unary | power. A sign on a literal folds into it (Python's -2 is the int -2).
  Node unary(int depth) {
    deeper(depth, c_.peek().column);
    if (c_.peek().kind == Tok::minus || c_.peek().kind == Tok::plus) {
      const Token& t = c_.next();
      Node n = unary(depth + 1);
      if (t.kind == Tok::plus) return n;
      if (n.op == "IntCst") {
        n.ints[0] = -n.ints[0];
        n.column = t.column;
        return n;
      }
      if (n.op == "Constant") {
        n.value = -n.value;
        n.column = t.column;
        return n;
      }
      return checked(make("Minus", {std::move(n)}, t.column));
    }
    return power(depth);
  }
  // power := primary ['**' unary]: f**2 is Square, f**n Pow(f, n), f**g Powf(f, g).
  Node power(int depth) {
    Node n = primary(depth);
    if (c_.peek().kind != Tok::power) return n;
    const int col = c_.next().column;
    Node e = unary(depth + 1);
    if (e.op == "IntCst") {
      const long k = e.ints[0];
      if (k == 2) return checked(make("Square", {std::move(n)}, col));
      Node p = make("Pow", {std::move(n)}, col);
      p.ints = {k};
      return checked(std::move(p));
    }
    return checked(make("Powf", {std::move(n), std::move(e)}, col));
  }

  Node primary(int depth) {
    const Token& t = c_.next();
    switch (t.kind) {
      case Tok::integer: {
        Node n = make("IntCst", {}, t.column);
        n.ints = {to_long(t, c_.text)};
        n.dim = 1;
        return n;
      }
      case Tok::real: {
        Node n = make("Constant", {}, t.column);
        n.value = std::strtod(std::string(t.text).c_str(), nullptr);
        if (!std::isfinite(n.value)) c_.fail("number " + std::string(t.text) + " is out of range", t.column);
        n.dim = 1;
        return n;
      }
      case Tok::lparen: {
        Node n = expr(depth + 1);
        c_.expect(Tok::rparen, "')'");
        return n;
      }
      case Tok::name: return named(t, depth);
      default:
        c_.fail(std::string("expected a formula, found ") + describe(t.kind) +
                    (t.kind == Tok::end ? "" : " '" + std::string(t.text) + "'"),
                t.column);
    }
  }

  Node var_node(int index, int column) {
    Node n = make("Var", {}, column);
    n.var = index;
    n.dim = vars_[static_cast<std::size_t>(index)].dim;
    return n;
  }

  Node named(const Token& t, int depth) {
    const bool call = c_.peek().kind == Tok::lparen;
    if (!call) {
      for (std::size_t k = 0; k < vars_.size(); ++k)
        if (vars_[k].name == t.text) return var_node(static_cast<int>(k), t.column);
      std::vector<std::string_view> names;
      for (const Variable& v : vars_)
        if (!v.name.empty()) names.emplace_back(v.name);
      std::string hint = suggestion(t.text, names);
      if (detail::find_op(t.text)) hint = " (" + std::string(t.text) + " is an operation: call it, " + std::string(t.text) + "(...))";
      c_.fail("unknown variable '" + std::string(t.text) + "'" + hint +
                  (vars_.empty() ? "; declare it with an alias such as \"" + std::string(t.text) + " = Vi(3)\"" : ""),
              t.column);
    }
    if (t.text == "Vi" || t.text == "Vj" || t.text == "Pm" || t.text == "Var") {
      Variable v = variable_call(c_, t, -1);
      return var_node(add_inline(v, t.column), t.column);
    }
    if (t.text == "IntCst") {
      c_.next();
      Node n = make("IntCst", {}, t.column);
      n.ints = {c_.integer("IntCst's value")};
      n.dim = 1;
      c_.expect(Tok::rparen, "')'");
      return n;
    }
    if (t.text == "Constant") {  // the canonical form of a float literal
      c_.next();
      Node n = make("Constant", {}, t.column);
      bool neg = false;
      if (c_.peek().kind == Tok::minus || c_.peek().kind == Tok::plus) neg = c_.next().kind == Tok::minus;
      const Token& v = c_.next();
      if (v.kind != Tok::real && v.kind != Tok::integer) c_.fail("expected a number (Constant's value)", v.column);
      n.value = std::strtod(std::string(v.text).c_str(), nullptr) * (neg ? -1 : 1);
      if (!std::isfinite(n.value)) c_.fail("number " + std::string(v.text) + " is out of range", v.column);
      n.dim = 1;
      c_.expect(Tok::rparen, "')'");
      return n;
    }
    if (t.text == "Ind") c_.fail("Ind(...) is an argument of TensorDot and Kron, not a formula", t.column);
    const detail::OpSpec* spec = detail::find_op(t.text);
    if (!spec) {
      std::vector<std::string_view> names = detail::op_names();
      for (const char* extra : {"Vi", "Vj", "Pm", "Var", "IntCst"}) names.emplace_back(extra);
      c_.fail("unknown operation '" + std::string(t.text) + "'" + suggestion(t.text, names), t.column);
    }
    return call_op(*spec, t, depth);
  }

  Node call_op(const detail::OpSpec& spec, const Token& t, int depth) {
    c_.next();  // '('
    Node n = make(spec.name, {}, t.column);
    const std::string_view sig = spec.sig;
    const std::size_t most = sig.size(), least = sig.size() - static_cast<std::size_t>(spec.optional);
    std::size_t k = 0;
    auto count_error = [&](std::size_t given, int col) {
      c_.fail(std::string(spec.name) + " takes " +
                  (least == most ? std::to_string(most) : std::to_string(least) + " or " + std::to_string(most)) +
                  " argument" + (most == 1 ? "" : "s") + " (" + spec.params + "), got " + std::to_string(given) +
                  (given > most ? " or more" : ""),
              col);
    };
    if (c_.peek().kind != Tok::rparen) {
      for (;;) {
        if (k >= most) count_error(k + 1, c_.peek().column);
        const char kind = sig[k];
        const int col = c_.peek().column;
        if (kind == 'f') {
          n.args.push_back(expr(depth + 1));
        } else if (kind == 'v') {
          Node v = expr(depth + 1);
          if (v.op != "Var") c_.fail(std::string(spec.name) + ": argument " + std::to_string(k + 1) + " must be a variable", col);
          n.args.push_back(std::move(v));
        } else if (kind == 'i') {
          n.ints.push_back(c_.integer((std::string(spec.name) + "'s argument " + std::to_string(k + 1) + " is an integer").c_str()));
        } else {  // 'I'
          const Token& ind = c_.next();
          if (ind.kind != Tok::name || ind.text != "Ind")
            c_.fail(std::string(spec.name) + ": argument " + std::to_string(k + 1) + " must be Ind(...), a tuple of integers", col);
          c_.expect(Tok::lparen, "'('");
          std::vector<long> tuple;
          while (c_.peek().kind != Tok::rparen) {
            tuple.push_back(c_.integer("an entry of Ind(...)"));
            if (c_.peek().kind != Tok::comma) break;
            c_.next();
          }
          c_.expect(Tok::rparen, "')'");
          n.inds.push_back(std::move(tuple));
        }
        ++k;
        if (c_.peek().kind != Tok::comma) break;
        c_.next();
      }
    }
    c_.expect(Tok::rparen, "',' or ')'");
    if (k < least) count_error(k, t.column);
    return checked(std::move(n));
  }

  int add_inline(const Variable& v, int column) {
    for (std::size_t k = 0; k < vars_.size(); ++k) {
      const Variable& w = vars_[k];
      if (w.position != v.position) continue;
      if (w.dim != v.dim || w.cat != v.cat)
        c_.fail(std::string("position ") + std::to_string(v.position) + " is already " + cat_name(w.cat) + " of dimension " +
                    std::to_string(w.dim) + (w.name.empty() ? "" : " ('" + w.name + "')") + ", here " + cat_name(v.cat) +
                    " of dimension " + std::to_string(v.dim),
                column);
      return static_cast<int>(k);
    }
    vars_.push_back(v);
    return static_cast<int>(vars_.size() - 1);
  }
};

void print(std::string& out, const Node& n, const std::vector<Variable>& vars, bool canonical) {
  const char* sep = canonical ? "," : ", ";
  if (n.op == "Var") {
    const Variable& v = vars[static_cast<std::size_t>(n.var)];
    if (!canonical && !v.name.empty()) {
      out += v.name;
    } else {
      out += "Var(" + std::to_string(v.position) + "," + std::to_string(v.dim) + "," +
             std::to_string(static_cast<int>(v.cat)) + ")";
    }
    return;
  }
  if (n.op == "IntCst") {
    out += "IntCst(" + std::to_string(n.ints[0]) + ")";
    return;
  }
  if (n.op == "Constant") {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", n.value);
    out += std::string("Constant(") + buf + ")";
    return;
  }
  out += n.op + "(";
  const detail::OpSpec* spec = detail::find_op(n.op);
  std::size_t f = 0, i = 0, t = 0;
  bool first = true;
  for (char kind : std::string_view(spec->sig)) {
    if (kind == 'I' && t >= n.inds.size()) break;  // optional Ind left out
    if (!first) out += sep;
    first = false;
    if (kind == 'f' || kind == 'v') {
      print(out, n.args[f++], vars, canonical);
    } else if (kind == 'i') {
      out += std::to_string(n.ints[i++]);
    } else {
      const auto& tuple = n.inds[t++];
      out += "Ind(";
      out += detail::join(tuple, sep);
      out += ")";
    }
  }
  out += ")";
}

int max_position(const Node& n, const std::vector<Variable>& vars) {
  int m = n.op == "Var" ? vars[static_cast<std::size_t>(n.var)].position : -1;
  for (const Node& a : n.args) m = std::max(m, max_position(a, vars));
  return m;
}

}  // namespace

Variable parse_alias(std::string_view alias, int index) {
  Cursor c{alias, lex(alias)};
  const Token& name = c.expect(Tok::name, "a variable name (an alias is `name = Vi(dim)`)");
  if (reserved(name.text))
    c.fail("'" + std::string(name.text) + "' is the name of an operation or a variable kind; choose another alias name",
           name.column);
  c.expect(Tok::equal, "'=' (an alias is `name = Vi(dim)`)");
  const Token& kind = c.expect(Tok::name, "Vi, Vj, Pm or Var");
  if (kind.text != "Vi" && kind.text != "Vj" && kind.text != "Pm" && kind.text != "Var")
    c.fail("expected Vi, Vj, Pm or Var, found '" + std::string(kind.text) + "'" +
               suggestion(kind.text, {"Vi", "Vj", "Pm", "Var"}),
           kind.column);
  Variable v = variable_call(c, kind, index);
  c.expect(Tok::end, "the end of the alias");
  v.name = std::string(name.text);
  return v;
}

ParsedFormula parse_formula(std::string_view formula, const std::vector<std::string>& aliases) {
  ParsedFormula out;
  out.formula = std::string(formula);
  for (std::size_t k = 0; k < aliases.size(); ++k) {
    Variable v = parse_alias(aliases[k], static_cast<int>(k));
    for (const Variable& w : out.variables) {
      if (w.name == v.name)
        throw FormulaError("alias '" + v.name + "' is defined twice", aliases[k], static_cast<int>(aliases[k].find(v.name)));
      if (w.position == v.position)
        throw FormulaError("aliases '" + w.name + "' and '" + v.name + "' both take argument position " +
                               std::to_string(v.position),
                           aliases[k], 0);
    }
    out.variables.push_back(std::move(v));
  }
  Parser p(formula, out.variables);
  out.root = p.formula();
  return out;
}

std::string ParsedFormula::canonical() const {
  std::string s;
  print(s, root, variables, true);
  return s;
}

int ParsedFormula::arity() const {
  int m = max_position(root, variables);
  for (const Variable& v : variables) m = std::max(m, v.position);
  return m + 1;
}

std::string to_string(const Node& node, const std::vector<Variable>& variables) {
  std::string s;
  print(s, node, variables, false);
  return s;
}

namespace {

struct ReductionInfo {
  const char* name;
  bool k, formula2, indices;
};
const ReductionInfo kReductions[] = {
    {"Sum", false, false, false},
    {"Max", false, false, false},
    {"Min", false, false, false},
    {"ArgMax", false, false, true},
    {"ArgMin", false, false, true},
    {"Max_ArgMax", false, false, true},
    {"Min_ArgMin", false, false, true},
    {"KMin", true, false, false},
    {"ArgKMin", true, false, true},
    {"KMin_ArgKMin", true, false, true},
    {"LogSumExp", false, false, false},
    {"LogSumExpWeight", false, true, false},
    {"Max_SumShiftExp", false, false, false},
    {"Max_SumShiftExpWeight", false, true, false},
    {"SumSoftMaxWeight", false, true, false},
};

}  // namespace

ReductionSpec parse_reduction(std::string_view name, int opt_arg) {
  const std::string_view canon = name == "SoftMax" ? std::string_view("SumSoftMaxWeight") : name;
  for (const ReductionInfo& r : kReductions) {
    if (canon != r.name) continue;
    ReductionSpec s;
    s.name = r.name;
    s.needs_formula2 = r.formula2;
    s.indices = r.indices;
    if (r.k) {
      if (opt_arg < 1)
        throw FormulaError(std::string(r.name) + " needs opt_arg K >= 1 (the number of entries kept), got " +
                               std::to_string(opt_arg),
                           name, 0);
      s.k = opt_arg;
    } else if (opt_arg != 0) {
      throw FormulaError(std::string(r.name) + " takes no opt_arg, got " + std::to_string(opt_arg), name, 0);
    }
    return s;
  }
  std::vector<std::string_view> names;
  for (const ReductionInfo& r : kReductions) names.emplace_back(r.name);
  names.emplace_back("SoftMax");
  throw FormulaError("unknown reduction '" + std::string(name) + "'" + suggestion(name, names), name, 0);
}

int ReductionSpec::output_dim(int d, int d2) const {
  const bool scalar_f = name == "LogSumExp" || name == "LogSumExpWeight" || name == "Max_SumShiftExp" ||
                        name == "Max_SumShiftExpWeight" || name == "SumSoftMaxWeight";
  if (scalar_f && d != 1) throw Error(name + " needs a scalar formula (dimension 1), got dimension " + std::to_string(d));
  if (needs_formula2 && d2 < 1) throw Error(name + " needs a second formula (KeOps' formula2)");
  if (!needs_formula2 && d2 != 0) throw Error(name + " takes no second formula");
  if (name == "Max_ArgMax" || name == "Min_ArgMin") return 2 * d;
  if (k) return name == "KMin_ArgKMin" ? 2 * k * d : k * d;
  if (name == "LogSumExp") return 1;
  if (name == "Max_SumShiftExp") return 2;
  if (name == "Max_SumShiftExpWeight") return 1 + d2;
  if (name == "LogSumExpWeight" || name == "SumSoftMaxWeight") return d2;
  return d;
}

}  // namespace kokkeops::strings
