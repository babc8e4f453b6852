// The operation table of formula strings: argument lists and dimension rules, the same rules as the typed
// API's static_asserts (include/kokkeops/formulas/), checked at parse time.
#include "catalogue.hpp"

#include <algorithm>
#include <string>

namespace kokkeops::strings::detail {
namespace {

std::string s(long v) { return std::to_string(v); }
int d(const Node& n, int k) { return n.args[static_cast<std::size_t>(k)].dim; }

int fail(std::string& why, std::string text) {
  why = std::move(text);
  return -1;
}

// Element-wise operations: every operand has the output dimension or dimension 1 (KeOps' broadcast).
int broadcast(const Node& n, std::string& why) {
  int out = 1;
  for (const Node& a : n.args) out = std::max(out, a.dim);
  for (const Node& a : n.args)
    if (a.dim != 1 && a.dim != out) {
      std::string dims;
      for (const Node& b : n.args) dims += (dims.empty() ? "" : ", ") + s(b.dim);
      return fail(why, n.op + ": operands of dimensions " + dims +
                           " are not compatible (each must have the output's dimension or dimension 1)");
    }
  return out;
}
int same(const Node& n, std::string& why) { return broadcast(n, why) < 0 ? -1 : d(n, 0); }
int scalar(const Node&, std::string&) { return 1; }
int equal_dims_scalar(const Node& n, std::string& why) {
  if (d(n, 0) != d(n, 1))
    return fail(why, n.op + " needs operands of the same dimension, got " + s(d(n, 0)) + " and " + s(d(n, 1)));
  return 1;
}
int weighted_norm(int ds, int df, const std::string& op, std::string& why) {
  if (ds != 1 && ds != df && ds != df * df)
    return fail(why, op + ": the weight's dimension must be 1, dim(f) = " + s(df) + " or dim(f)^2 = " +
                         s(df * df) + ", got " + s(ds));
  return 1;
}
int weighted_sq_norm(const Node& n, std::string& why) { return weighted_norm(d(n, 0), d(n, 1), n.op, why); }
int weighted_sq_dist(const Node& n, std::string& why) {
  if (d(n, 1) != d(n, 2))
    return fail(why, n.op + " needs f and g of the same dimension, got " + s(d(n, 1)) + " and " + s(d(n, 2)));
  return weighted_norm(d(n, 0), d(n, 1), n.op, why);
}
int from_scalar(const Node& n, std::string& why) {  // SumT(f, D), OneHot(f, D)
  if (d(n, 0) != 1) return fail(why, n.op + "(f, D) needs f of dimension 1, got " + s(d(n, 0)));
  if (n.ints[0] < 1) return fail(why, n.op + "(f, D) needs D >= 1, got " + s(n.ints[0]));
  return static_cast<int>(n.ints[0]);
}
int elem(const Node& n, std::string& why) {
  if (n.ints[0] < 0 || n.ints[0] >= d(n, 0))
    return fail(why, "Elem(f, m): m = " + s(n.ints[0]) + " is out of range [0, " + s(d(n, 0)) + ")");
  return 1;
}
int elem_t(const Node& n, std::string& why) {  // ElemT(f, D, m)
  if (d(n, 0) != 1) return fail(why, "ElemT(f, D, m) needs f of dimension 1, got " + s(d(n, 0)));
  if (n.ints[1] < 0 || n.ints[1] >= n.ints[0])
    return fail(why, "ElemT(f, D, m): m = " + s(n.ints[1]) + " is out of range [0, D = " + s(n.ints[0]) + ")");
  return static_cast<int>(n.ints[0]);
}
int extract(const Node& n, std::string& why) {  // Extract(f, start, len)
  const long start = n.ints[0], len = n.ints[1];
  if (start < 0 || len < 1 || start + len > d(n, 0))
    return fail(why, "Extract(f, start, len): [" + s(start) + ", " + s(start + len) + ") is not a non-empty range in [0, " +
                         s(d(n, 0)) + ")");
  return static_cast<int>(len);
}
int extract_t(const Node& n, std::string& why) {  // ExtractT(f, start, D)
  const long start = n.ints[0], D = n.ints[1];
  if (start < 0 || start + d(n, 0) > D)
    return fail(why, "ExtractT(f, start, D): f of dimension " + s(d(n, 0)) + " at " + s(start) +
                         " does not fit in dimension D = " + s(D));
  return static_cast<int>(D);
}
int concat(const Node& n, std::string&) { return d(n, 0) + d(n, 1); }
int mat_vec(const Node& n, std::string& why) {  // MatVecMult(A, b), VecMatMult(b, A)
  const bool mv = n.op == "MatVecMult";
  const int a = mv ? d(n, 0) : d(n, 1), b = mv ? d(n, 1) : d(n, 0);
  if (a % b != 0)
    return fail(why, n.op + " needs dim(A) = " + s(a) + " to be a multiple of dim(b) = " + s(b));
  return a / b;
}
int tensor_prod(const Node& n, std::string&) { return d(n, 0) * d(n, 1); }
long product(const std::vector<long>& v) {
  long p = 1;
  for (long e : v) p *= e;
  return p;
}
std::string shape(const std::vector<long>& v) {
  std::string t = "Ind(";  // appends: GCC 12 -O3 C++20 warns (-Wrestrict) on "literal" + std::string&&
  t += join(v, ",");
  return t + ")";
}
int shapes_match(const Node& n, std::string& why) {  // the first two Ind tuples are the operands' shapes
  for (int k = 0; k < 2; ++k) {
    const auto& sh = n.inds[static_cast<std::size_t>(k)];
    if (sh.empty()) return fail(why, n.op + ": a shape needs at least one axis");
    for (long e : sh)
      if (e < 1) return fail(why, n.op + ": every extent must be >= 1, got " + shape(sh));
    if (product(sh) != d(n, k))
      return fail(why, n.op + ": shape " + shape(sh) + " has " + s(product(sh)) + " entries, operand " +
                           (k ? "g" : "f") + " has dimension " + s(d(n, k)));
  }
  return 0;
}
int tensor_dot(const Node& n, std::string& why) {
  if (shapes_match(n, why) < 0) return -1;
  const auto &da = n.inds[0], &db = n.inds[1], &ca = n.inds[2], &cb = n.inds[3];
  if (ca.size() != cb.size() || ca.size() > da.size() || ca.size() > db.size())
    return fail(why, "TensorDot: " + shape(ca) + " and " + shape(cb) + " must list as many contracted axes");
  for (std::size_t t = 0; t < ca.size(); ++t) {
    if (ca[t] < 0 || ca[t] >= static_cast<long>(da.size()) || cb[t] < 0 || cb[t] >= static_cast<long>(db.size()))
      return fail(why, "TensorDot: contracted axis out of range in " + shape(ca) + " or " + shape(cb));
    if (da[static_cast<std::size_t>(ca[t])] != db[static_cast<std::size_t>(cb[t])])
      return fail(why, "TensorDot: contracted axes " + s(ca[t]) + " of f and " + s(cb[t]) + " of g have extents " +
                           s(da[static_cast<std::size_t>(ca[t])]) + " and " + s(db[static_cast<std::size_t>(cb[t])]));
    for (std::size_t u = 0; u < t; ++u)
      if (ca[u] == ca[t] || cb[u] == cb[t]) return fail(why, "TensorDot: an axis is contracted twice");
  }
  long out = product(da) * product(db);
  for (std::size_t t = 0; t < ca.size(); ++t) out /= da[static_cast<std::size_t>(ca[t])] * da[static_cast<std::size_t>(ca[t])];
  if (n.inds.size() > 4) {
    const auto& p = n.inds[4];
    const std::size_t kept = da.size() + db.size() - 2 * ca.size();
    bool ok = p.size() == kept;
    for (std::size_t q = 0; ok && q < p.size(); ++q) {
      ok = p[q] >= 0 && p[q] < static_cast<long>(kept);
      for (std::size_t u = 0; ok && u < q; ++u) ok = p[u] != p[q];
    }
    if (!ok) return fail(why, "TensorDot: " + shape(p) + " is not a permutation of the " + s(static_cast<long>(kept)) + " kept axes");
  }
  return static_cast<int>(out);
}
int kron(const Node& n, std::string& why) {
  if (shapes_match(n, why) < 0) return -1;
  if (n.inds[0].size() != n.inds[1].size())
    return fail(why, "Kron needs two shapes with the same number of axes, got " + shape(n.inds[0]) + " and " + shape(n.inds[1]));
  return d(n, 0) * d(n, 1);
}
bool even(int v) { return v % 2 == 0; }
int complex_binary(const Node& n, std::string& why) {
  const int a = d(n, 0), b = d(n, 1);
  if (!even(a) || !even(b))
    return fail(why, n.op + " needs complex operands (even dimensions), got " + s(a) + " and " + s(b));
  if (a != b && a != 2 && b != 2)
    return fail(why, n.op + ": dimensions " + s(a) + " and " + s(b) +
                         " are not compatible (equal, or one of them a single complex number, dimension 2)");
  return std::max(a, b);
}
int complex_same(const Node& n, std::string& why) {
  if (!even(d(n, 0))) return fail(why, n.op + " needs a complex operand (even dimension), got " + s(d(n, 0)));
  return d(n, 0);
}
int complex_to_real(const Node& n, std::string& why) { return complex_same(n, why) < 0 ? -1 : d(n, 0) / 2; }
int real_to_complex(const Node& n, std::string&) { return 2 * d(n, 0); }
int complex_sum(const Node& n, std::string& why) { return complex_same(n, why) < 0 ? -1 : 2; }
int complex_sum_t(const Node& n, std::string& why) {
  if (d(n, 0) != 2) return fail(why, "ComplexSumT(f, D) needs f of dimension 2 (one complex number), got " + s(d(n, 0)));
  if (n.ints[0] < 2 || n.ints[0] % 2) return fail(why, "ComplexSumT(f, D) needs an even D >= 2, got " + s(n.ints[0]));
  return static_cast<int>(n.ints[0]);
}
int complex_real_scal(const Node& n, std::string& why) {
  const int a = d(n, 0), b = d(n, 1);
  if (a != 1 && b != 1) return fail(why, "ComplexRealScal(f, g) needs one operand of dimension 1 (the real scalar)");
  const int c = a == 1 ? b : a;
  if (!even(c)) return fail(why, "ComplexRealScal(f, g) needs a complex operand (even dimension), got " + s(c));
  return c;
}
int grad(const Node& n, std::string& why) {  // Grad(f, v, e): [df/dv]^T e
  if (d(n, 2) != d(n, 0))
    return fail(why, "Grad(f, v, e) needs e of f's dimension " + s(d(n, 0)) + ", got " + s(d(n, 2)));
  return d(n, 1);
}
int diff(const Node& n, std::string& why) {  // Diff(f, v, u): [df/dv] u
  if (d(n, 2) != d(n, 1))
    return fail(why, "Diff(f, v, u) needs u of v's dimension " + s(d(n, 1)) + ", got " + s(d(n, 2)));
  return d(n, 0);
}
int laplacian(const Node& n, std::string& why) {
  if (d(n, 0) != 1) return fail(why, "Laplacian(f, v) needs a scalar f, got dimension " + s(d(n, 0)));
  return 1;
}
int divergence(const Node& n, std::string& why) {
  if (d(n, 0) != d(n, 1))
    return fail(why, "Divergence(f, v) needs f of v's dimension " + s(d(n, 1)) + ", got " + s(d(n, 0)));
  return 1;
}

const OpSpec kOps[] = {
    // element-wise, one operand
    {"Exp", "f", 0, "f", same}, {"Log", "f", 0, "f", same}, {"Sqrt", "f", 0, "f", same},
    {"Rsqrt", "f", 0, "f", same}, {"Inv", "f", 0, "f", same}, {"Square", "f", 0, "f", same},
    {"Abs", "f", 0, "f", same}, {"Sin", "f", 0, "f", same}, {"Cos", "f", 0, "f", same},
    {"Asin", "f", 0, "f", same}, {"Acos", "f", 0, "f", same}, {"Atan", "f", 0, "f", same},
    {"Floor", "f", 0, "f", same}, {"Sign", "f", 0, "f", same}, {"Step", "f", 0, "f", same},
    {"ReLU", "f", 0, "f", same}, {"SinXDivX", "f", 0, "f", same}, {"XLogX", "f", 0, "f", same},
    {"Minus", "f", 0, "f", same},
    // element-wise, several operands (broadcast)
    {"Add", "ff", 0, "f, g", broadcast}, {"Subtract", "ff", 0, "f, g", broadcast},
    {"Mult", "ff", 0, "f, g", broadcast}, {"Divide", "ff", 0, "f, g", broadcast},
    {"Atan2", "ff", 0, "f, g", broadcast}, {"Powf", "ff", 0, "f, g", broadcast},
    {"Equal", "ff", 0, "f, g", broadcast}, {"NotEqual", "ff", 0, "f, g", broadcast},
    {"LessThan", "ff", 0, "f, g", broadcast}, {"LessOrEqual", "ff", 0, "f, g", broadcast},
    {"Clamp", "fff", 0, "f, a, b", broadcast}, {"IfElse", "fff", 0, "f, a, b", broadcast},
    {"Mod", "fff", 0, "x, n, d", broadcast},
    // integer parameters
    {"Pow", "fi", 0, "f, n", same}, {"Round", "fi", 0, "f, d", same},
    {"ClampInt", "fii", 0, "f, a, b", same}, {"DiffClampInt", "fii", 0, "f, a, b", same},
    // vector -> scalar
    {"Sum", "f", 0, "f", scalar}, {"SqNorm2", "f", 0, "f", scalar}, {"Norm2", "f", 0, "f", scalar},
    {"Max", "f", 0, "f", scalar}, {"Min", "f", 0, "f", scalar}, {"ArgMax", "f", 0, "f", scalar},
    {"ArgMin", "f", 0, "f", scalar}, {"Scalprod", "ff", 0, "f, g", equal_dims_scalar},
    {"SqDist", "ff", 0, "f, g", equal_dims_scalar}, {"WeightedSqNorm", "ff", 0, "s, f", weighted_sq_norm},
    {"WeightedSqDist", "fff", 0, "s, f, g", weighted_sq_dist},
    // layout
    {"Normalize", "f", 0, "f", same}, {"SumT", "fi", 0, "f, D", from_scalar},
    {"OneHot", "fi", 0, "f, D", from_scalar}, {"Elem", "fi", 0, "f, m", elem},
    {"ElemT", "fii", 0, "f, D, m", elem_t}, {"Extract", "fii", 0, "f, start, len", extract},
    {"ExtractT", "fii", 0, "f, start, D", extract_t}, {"Concat", "ff", 0, "f, g", concat},
    // linear algebra
    {"MatVecMult", "ff", 0, "A, b", mat_vec}, {"VecMatMult", "ff", 0, "b, A", mat_vec},
    {"TensorProd", "ff", 0, "f, g", tensor_prod},
    {"TensorDot", "ffIIIII", 1, "f, g, Ind(dims f), Ind(dims g), Ind(contracted f), Ind(contracted g)[, Ind(permute)]",
     tensor_dot},
    {"Kron", "ffII", 0, "f, g, Ind(dims f), Ind(dims g)", kron},
    // complex numbers (interleaved pairs)
    {"ComplexAdd", "ff", 0, "f, g", complex_binary}, {"ComplexSubtract", "ff", 0, "f, g", complex_binary},
    {"ComplexMult", "ff", 0, "f, g", complex_binary}, {"ComplexDivide", "ff", 0, "f, g", complex_binary},
    {"ComplexExp", "f", 0, "f", complex_same}, {"Conj", "f", 0, "f", complex_same},
    {"ComplexReal", "f", 0, "f", complex_to_real}, {"ComplexImag", "f", 0, "f", complex_to_real},
    {"ComplexSquareAbs", "f", 0, "f", complex_to_real}, {"ComplexAbs", "f", 0, "f", complex_to_real},
    {"ComplexAngle", "f", 0, "f", complex_to_real}, {"Real2Complex", "f", 0, "f", real_to_complex},
    {"Imag2Complex", "f", 0, "f", real_to_complex}, {"ComplexExp1j", "f", 0, "f", real_to_complex},
    {"ComplexSum", "f", 0, "f", complex_sum}, {"ComplexSumT", "fi", 0, "f, D", complex_sum_t},
    {"ComplexRealScal", "ff", 0, "f, g", complex_real_scal},
    // symbolic calculus
    {"Grad", "fvf", 0, "f, v, e", grad}, {"Diff", "fvf", 0, "f, v, u", diff},
    {"Laplacian", "fv", 0, "f, v", laplacian}, {"Divergence", "fv", 0, "f, v", divergence},
};

}  // namespace

std::string join(const std::vector<long>& v, const char* sep) {
  std::string t;
  for (std::size_t q = 0; q < v.size(); ++q) {
    if (q) t += sep;
    t += std::to_string(v[q]);
  }
  return t;
}

const OpSpec* find_op(std::string_view name) {
  for (const OpSpec& op : kOps)
    if (name == op.name) return &op;
  return nullptr;
}

const std::vector<std::string_view>& op_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const OpSpec& op : kOps) v.emplace_back(op.name);
    return v;
  }();
  return names;
}

}  // namespace kokkeops::strings::detail

namespace kokkeops::strings {
const std::vector<std::string_view>& operation_names() { return detail::op_names(); }
}  // namespace kokkeops::strings
