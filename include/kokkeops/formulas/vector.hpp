// Operations on whole vectors: reductions within a vector (Max, Min, ArgMax, ArgMin), weighted
// norms, element access and layout (Elem, ElemT, Extract, ExtractT, Concat, OneHot, SumT), and
// linear algebra on vectors read as row-major tensors (MatVecMult, VecMatMult, TensorProd,
// TensorDot, Kron), as KeOps 2.x computes them (C_CONTIGUOUS, i.e. row-major).
#pragma once

#include <kokkeops/formulas/maths.hpp>

#include <string>
#include <utility>

namespace kokkeops::formulas {

#define KOKKEOPS_SLOTS_MESSAGE                                                                   \
  "kokkeops: one argument slot is used with two different dimensions or categories (e.g. Vi<0,3> " \
  "and Vi<0,2>, or Vi<0,3> and Vj<0,3>)"

// ---------------------------------------------------------------- scalar -> vector

/// SumT<D>(f): the scalar f repeated D times (the adjoint of Sum), dimension D.
template <int D, class F>
struct SumTNode : FormulaBase {
  static_assert(F::dim == 1, "kokkeops: SumT<D>(f) needs a formula f of dimension 1");
  static_assert(D >= 1, "kokkeops: SumT<D>(f) needs D >= 1");
  F f;
  static constexpr int dim = D;
  static constexpr void collect(detail::SlotTable& t) { F::collect(t); }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T v[1];
    f.eval(v, ctx);
    static_for<D>([&](auto k) KOKKEOPS_LAMBDA_INLINE { out[k] = v[0]; });
  }
  std::string str() const { return "SumT(" + f.str() + "," + std::to_string(D) + ")"; }
};
template <int D, class F, enable_if_formula_t<F> = 0>
SumTNode<D, F> SumT(const F& f) {
  return {{}, f};
}

// ---------------------------------------------------------------- norms

/// Normalize(f) = Rsqrt(SqNorm2(f)) * f (a KeOps alias; the zero vector stays zero).
template <class F, enable_if_formula_t<F> = 0>
auto Normalize(const F& f) {
  return Rsqrt(SqNorm2(f)) * f;
}

/// WeightedSqNorm(s, f): s |f|^2 for dim(s) = 1, sum_k s_k f_k^2 for dim(s) = dim(f), and
/// sum_kl s[k dim(f) + l] f_k f_l for dim(s) = dim(f)^2 (a full matrix, row-major).
template <class S, class F>
struct WeightedSqNormNode : FormulaBase {
  static constexpr int D = F::dim;
  static_assert(S::dim == 1 || S::dim == D || S::dim == D * D,
                "kokkeops: WeightedSqNorm(s, f) needs weights s of dimension 1 (isotropic), dim(f) (diagonal) "
                "or dim(f)^2 (full matrix)");
  static_assert(detail::slots_consistent<S, F>(), KOKKEOPS_SLOTS_MESSAGE);
  S s;
  F f;
  static constexpr int dim = 1;
  static constexpr void collect(detail::SlotTable& t) {
    S::collect(t);
    F::collect(t);
  }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T vs[S::dim], v[D];
    s.eval(vs, ctx);
    f.eval(v, ctx);
    if constexpr (S::dim == 1) {
      T q = v[0] * v[0];
      static_for<D - 1>([&](auto k) KOKKEOPS_LAMBDA_INLINE { q += v[k + 1] * v[k + 1]; });
      out[0] = vs[0] * q;
    } else if constexpr (S::dim == D) {
      T q = vs[0] * v[0] * v[0];
      static_for<D - 1>([&](auto k) KOKKEOPS_LAMBDA_INLINE { q += vs[k + 1] * v[k + 1] * v[k + 1]; });
      out[0] = q;
    } else {
      T q = simd::splat<T>(0);
      static_for<D>([&](auto k) KOKKEOPS_LAMBDA_INLINE { static_for<D>([&](auto l) KOKKEOPS_LAMBDA_INLINE { q += vs[k * D + l] * v[k] * v[l]; }); });
      out[0] = q;
    }
  }
  std::string str() const { return "WeightedSqNorm(" + s.str() + "," + f.str() + ")"; }
};
template <class S, class F, std::enable_if_t<is_formula_v<S> && is_formula_v<F>, int> = 0>
WeightedSqNormNode<S, F> WeightedSqNorm(const S& s, const F& f) {
  return {{}, s, f};
}
/// WeightedSqDist(s, f, g) = WeightedSqNorm(s, f - g).
template <class S, class A, class B,
          std::enable_if_t<is_formula_v<S> && is_formula_v<A> && is_formula_v<B>, int> = 0>
auto WeightedSqDist(const S& s, const A& a, const B& b) {
  return WeightedSqNorm(s, a - b);
}

// ---------------------------------------------------------------- reductions within a vector

namespace op {
struct VecMax {
  static constexpr const char* name = "Max";
  static constexpr bool is_max = true, is_arg = false;
};
struct VecMin {
  static constexpr const char* name = "Min";
  static constexpr bool is_max = false, is_arg = false;
};
struct VecArgMax {
  static constexpr const char* name = "ArgMax";
  static constexpr bool is_max = true, is_arg = true;
};
struct VecArgMin {
  static constexpr const char* name = "ArgMin";
  static constexpr bool is_max = false, is_arg = true;
};
}  // namespace op

/// Max / Min of the components of f, or the index of the first one reaching it (ArgMax / ArgMin,
/// a float value as in KeOps; ties give the lowest index). Dimension 1.
template <class Op, class F>
struct VecExtremum : FormulaBase {
  F f;
  static constexpr int dim = 1;
  static constexpr void collect(detail::SlotTable& t) { F::collect(t); }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T v[F::dim];
    f.eval(v, ctx);
    T best = v[0];
    T idx = simd::splat<T>(0);
    static_for<F::dim - 1>([&](auto k) KOKKEOPS_LAMBDA_INLINE {
      const T x = v[k + 1];
      if constexpr (Op::is_max) {
        const auto better = x > best;  // strict: the first of equal values wins
        if constexpr (Op::is_arg) idx = simd::select(better, simd::splat<T>(k + 1), idx);
        best = simd::select(better, x, best);
      } else {
        const auto better = x < best;
        if constexpr (Op::is_arg) idx = simd::select(better, simd::splat<T>(k + 1), idx);
        best = simd::select(better, x, best);
      }
    });
    if constexpr (Op::is_arg) out[0] = idx;
    else out[0] = best;
  }
  std::string str() const { return std::string(Op::name) + "(" + f.str() + ")"; }
};

#define KOKKEOPS_VEC_EXTREMUM(Name)               \
  template <class F, enable_if_formula_t<F> = 0>  \
  VecExtremum<op::Vec##Name, F> Name(const F& f) { \
    return {{}, f};                               \
  }
KOKKEOPS_VEC_EXTREMUM(Max)
KOKKEOPS_VEC_EXTREMUM(Min)
KOKKEOPS_VEC_EXTREMUM(ArgMax)
KOKKEOPS_VEC_EXTREMUM(ArgMin)
#undef KOKKEOPS_VEC_EXTREMUM

// ---------------------------------------------------------------- element access and layout

/// Elem<m>(f): component m of f, dimension 1.
template <int M, class F>
struct ElemNode : FormulaBase {
  static_assert(M >= 0 && M < F::dim, "kokkeops: Elem<m>(f): index m is out of range, it must be in [0, dim(f))");
  F f;
  static constexpr int dim = 1;
  static constexpr void collect(detail::SlotTable& t) { F::collect(t); }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T v[F::dim];
    f.eval(v, ctx);
    out[0] = v[M];
  }
  std::string str() const { return "Elem(" + f.str() + "," + std::to_string(M) + ")"; }
};
template <int M, class F, enable_if_formula_t<F> = 0>
ElemNode<M, F> Elem(const F& f) {
  return {{}, f};
}

/// ElemT<m, D>(f): the scalar f at position m of a zero vector of dimension D (KeOps ElemT(f, D, m)).
template <int M, int D, class F>
struct ElemTNode : FormulaBase {
  static_assert(F::dim == 1, "kokkeops: ElemT<m, D>(f) needs a formula f of dimension 1");
  static_assert(M >= 0 && M < D, "kokkeops: ElemT<m, D>(f): index m is out of range, it must be in [0, D)");
  F f;
  static constexpr int dim = D;
  static constexpr void collect(detail::SlotTable& t) { F::collect(t); }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T v[1];
    f.eval(v, ctx);
    static_for<D>([&](auto k) KOKKEOPS_LAMBDA_INLINE { out[k] = k == M ? v[0] : simd::splat<T>(0); });
  }
  std::string str() const { return "ElemT(" + f.str() + "," + std::to_string(D) + "," + std::to_string(M) + ")"; }
};
template <int M, int D, class F, enable_if_formula_t<F> = 0>
ElemTNode<M, D, F> ElemT(const F& f) {
  return {{}, f};
}

/// Extract<start, len>(f): components start .. start+len-1 of f.
template <int Start, int Len, class F>
struct ExtractNode : FormulaBase {
  static_assert(Start >= 0 && Len >= 1 && Start + Len <= F::dim,
                "kokkeops: Extract<start, len>(f) is out of range: it needs start >= 0, len >= 1 and "
                "start + len <= dim(f)");
  F f;
  static constexpr int dim = Len;
  static constexpr void collect(detail::SlotTable& t) { F::collect(t); }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T v[F::dim];
    f.eval(v, ctx);
    static_for<Len>([&](auto k) KOKKEOPS_LAMBDA_INLINE { out[k] = v[Start + k]; });
  }
  std::string str() const {
    return "Extract(" + f.str() + "," + std::to_string(Start) + "," + std::to_string(Len) + ")";
  }
};
template <int Start, int Len, class F, enable_if_formula_t<F> = 0>
ExtractNode<Start, Len, F> Extract(const F& f) {
  return {{}, f};
}

/// ExtractT<start, D>(f): f placed at start in a zero vector of dimension D (the adjoint of Extract).
template <int Start, int D, class F>
struct ExtractTNode : FormulaBase {
  static_assert(Start >= 0 && Start + F::dim <= D,
                "kokkeops: ExtractT<start, D>(f) is out of range: it needs start >= 0 and start + dim(f) <= D");
  F f;
  static constexpr int dim = D;
  static constexpr void collect(detail::SlotTable& t) { F::collect(t); }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T v[F::dim];
    f.eval(v, ctx);
    static_for<D>([&](auto k) KOKKEOPS_LAMBDA_INLINE {
      constexpr int k_ = decltype(k)::value;
      if constexpr (k_ >= Start && k_ < Start + F::dim) out[k] = v[k_ - Start];
      else out[k] = simd::splat<T>(0);
    });
  }
  std::string str() const {
    return "ExtractT(" + f.str() + "," + std::to_string(Start) + "," + std::to_string(D) + ")";
  }
};
template <int Start, int D, class F, enable_if_formula_t<F> = 0>
ExtractTNode<Start, D, F> ExtractT(const F& f) {
  return {{}, f};
}

/// Concat(f, g): the components of f, then those of g.
template <class A, class B>
struct ConcatNode : FormulaBase {
  static_assert(detail::slots_consistent<A, B>(), KOKKEOPS_SLOTS_MESSAGE);
  A a;
  B b;
  static constexpr int dim = A::dim + B::dim;
  static constexpr void collect(detail::SlotTable& t) {
    A::collect(t);
    B::collect(t);
  }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    a.eval(out, ctx);
    b.eval(out + A::dim, ctx);
  }
  std::string str() const { return "Concat(" + a.str() + "," + b.str() + ")"; }
};
template <class A, class B, std::enable_if_t<is_formula_v<A> && is_formula_v<B>, int> = 0>
ConcatNode<A, B> Concat(const A& a, const B& b) {
  return {{}, a, b};
}

/// OneHot<D>(f): the unit vector e_k of dimension D with k = (int)(f + 0.5), as KeOps; a k outside
/// [0, D) gives the zero vector (KeOps writes out of bounds).
template <int D, class F>
struct OneHotNode : FormulaBase {
  static_assert(F::dim == 1, "kokkeops: OneHot<D>(f) needs a formula f of dimension 1");
  static_assert(D >= 1, "kokkeops: OneHot<D>(f) needs D >= 1");
  F f;
  static constexpr int dim = D;
  static constexpr void collect(detail::SlotTable& t) { F::collect(t); }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T v[1];
    f.eval(v, ctx);
    const T x = v[0] + simd::splat<T>(0.5);
    const T one = simd::splat<T>(1), zero = simd::splat<T>(0);
    static_for<D>([&](auto k) KOKKEOPS_LAMBDA_INLINE {
      // (int) truncates toward zero: k = 0 for x in (-1, 1), k for x in [k, k + 1) otherwise.
      if constexpr (decltype(k)::value == 0)
        out[k] = simd::select(x > simd::splat<T>(-1), simd::select(x < one, one, zero), zero);
      else
        out[k] = simd::select(x >= simd::splat<T>(k), simd::select(x < simd::splat<T>(k + 1), one, zero), zero);
    });
  }
  std::string str() const { return "OneHot(" + f.str() + "," + std::to_string(D) + ")"; }
};
template <int D, class F, enable_if_formula_t<F> = 0>
OneHotNode<D, F> OneHot(const F& f) {
  return {{}, f};
}

// ---------------------------------------------------------------- matrix products (row-major)

/// MatVecMult(A, b): A an n x p matrix stored row-major (dim n p), b a p-vector; out_i = sum_k A[i p + k] b_k.
template <class A, class B>
struct MatVecMultNode : FormulaBase {
  static_assert(A::dim % B::dim == 0, "kokkeops: MatVecMult(A, b) needs dim(A) to be a multiple of dim(b)");
  static_assert(detail::slots_consistent<A, B>(), KOKKEOPS_SLOTS_MESSAGE);
  A a;
  B b;
  static constexpr int P = B::dim;
  static constexpr int dim = A::dim / B::dim;
  static constexpr void collect(detail::SlotTable& t) {
    A::collect(t);
    B::collect(t);
  }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T va[A::dim], vb[P];
    a.eval(va, ctx);
    b.eval(vb, ctx);
    static_for<dim>([&](auto i) KOKKEOPS_LAMBDA_INLINE {
      T s = va[i * P] * vb[0];
      static_for<P - 1>([&](auto k) KOKKEOPS_LAMBDA_INLINE { s += va[i * P + k + 1] * vb[k + 1]; });
      out[i] = s;
    });
  }
  std::string str() const { return "MatVecMult(" + a.str() + "," + b.str() + ")"; }
};
template <class A, class B, std::enable_if_t<is_formula_v<A> && is_formula_v<B>, int> = 0>
MatVecMultNode<A, B> MatVecMult(const A& a, const B& b) {
  return {{}, a, b};
}

/// VecMatMult(b, A): b an n-vector, A an n x p matrix stored row-major; out_j = sum_k b_k A[k p + j].
template <class B, class A>
struct VecMatMultNode : FormulaBase {
  static_assert(A::dim % B::dim == 0, "kokkeops: VecMatMult(b, A) needs dim(A) to be a multiple of dim(b)");
  static_assert(detail::slots_consistent<A, B>(), KOKKEOPS_SLOTS_MESSAGE);
  B b;
  A a;
  static constexpr int N = B::dim;
  static constexpr int dim = A::dim / B::dim;
  static constexpr void collect(detail::SlotTable& t) {
    B::collect(t);
    A::collect(t);
  }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T vb[N], va[A::dim];
    b.eval(vb, ctx);
    a.eval(va, ctx);
    static_for<dim>([&](auto j) KOKKEOPS_LAMBDA_INLINE {
      T s = vb[0] * va[j];
      static_for<N - 1>([&](auto k) KOKKEOPS_LAMBDA_INLINE { s += vb[k + 1] * va[(k + 1) * dim + j]; });
      out[j] = s;
    });
  }
  std::string str() const { return "VecMatMult(" + b.str() + "," + a.str() + ")"; }
};
template <class B, class A, std::enable_if_t<is_formula_v<A> && is_formula_v<B>, int> = 0>
VecMatMultNode<B, A> VecMatMult(const B& b, const A& a) {
  return {{}, b, a};
}

/// TensorProd(f, g): the outer product, row-major: out[k dim(g) + l] = f_k g_l.
template <class A, class B>
struct TensorProdNode : FormulaBase {
  static_assert(detail::slots_consistent<A, B>(), KOKKEOPS_SLOTS_MESSAGE);
  A a;
  B b;
  static constexpr int dim = A::dim * B::dim;
  static constexpr void collect(detail::SlotTable& t) {
    A::collect(t);
    B::collect(t);
  }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T va[A::dim], vb[B::dim];
    a.eval(va, ctx);
    b.eval(vb, ctx);
    static_for<A::dim>([&](auto k) KOKKEOPS_LAMBDA_INLINE { static_for<B::dim>([&](auto l) KOKKEOPS_LAMBDA_INLINE { out[k * B::dim + l] = va[k] * vb[l]; }); });
  }
  std::string str() const { return "TensorProd(" + a.str() + "," + b.str() + ")"; }
};
template <class A, class B, std::enable_if_t<is_formula_v<A> && is_formula_v<B>, int> = 0>
TensorProdNode<A, B> TensorProd(const A& a, const B& b) {
  return {{}, a, b};
}

// ---------------------------------------------------------------- general tensor contraction

/// A compile-time list of integers, the `Ind(...)` of KeOps: shapes, axes, permutations.
template <int... K>
struct Ind {
  static constexpr int size = sizeof...(K);
  static constexpr int at(int q) {
    const int v[] = {K..., 0};
    return v[q];
  }
  static std::string str() {
    std::string s = "Ind(";
    int q = 0;
    ((s += (q++ ? "," : "") + std::to_string(K)), ...);
    return s + ")";
  }
};

namespace detail {

// Index arithmetic of TensorDot: A (shape DA) and B (shape DB), axes CA[t] of A contracted with
// axes CB[t] of B, the kept axes (those of A in order, then those of B) moved by P: kept axis q
// becomes output axis P[q] (KeOps' convention; empty P = no move). All tensors are row-major.
template <class DA, class DB, class CA, class CB, class P>
struct TensorDotPlan {
  static constexpr int na = DA::size, nb = DB::size, nc = CA::size;
  static constexpr int nka = na - nc, nk = na + nb - 2 * nc;

  static constexpr int cont_pos(bool in_a, int r) {  // t with C[t] = r, or -1 for a kept axis
    for (int t = 0; t < nc; ++t)
      if ((in_a ? CA::at(t) : CB::at(t)) == r) return t;
    return -1;
  }
  static constexpr int keep_pos(bool in_a, int r) {  // rank of axis r among the kept axes of its tensor
    int p = 0;
    for (int s = 0; s < r; ++s)
      if (cont_pos(in_a, s) < 0) ++p;
    return p;
  }
  static constexpr int keep_dim(int q) {  // extent of kept axis q
    int p = 0;
    for (int r = 0; r < na; ++r)
      if (cont_pos(true, r) < 0 && p++ == q) return DA::at(r);
    for (int r = 0; r < nb; ++r)
      if (cont_pos(false, r) < 0 && p++ == q) return DB::at(r);
    return 0;
  }
  static constexpr int perm(int q) { return P::size == 0 ? q : P::at(q); }
  static constexpr int out_extent(int i) {  // extent of output axis i
    for (int q = 0; q < nk; ++q)
      if (perm(q) == i) return keep_dim(q);
    return 0;
  }
  static constexpr int dim_out() {
    int d = 1;
    for (int q = 0; q < nk; ++q) d *= keep_dim(q);
    return d;
  }
  static constexpr int dim_cont() {
    int d = 1;
    for (int t = 0; t < nc; ++t) d *= DA::at(CA::at(t));
    return d;
  }
  static constexpr int prod(bool a) {
    int d = 1;
    for (int r = 0; r < (a ? na : nb); ++r) d *= a ? DA::at(r) : DB::at(r);
    return d;
  }
  // Index along kept axis q of output entry o, and along contracted axis t of contraction entry c.
  static constexpr int keep_index(int o, int q) {
    const int i = perm(q);
    int stride = 1;
    for (int a = nk - 1; a > i; --a) stride *= out_extent(a);
    return (o / stride) % out_extent(i);
  }
  static constexpr int cont_index(int c, int t) {
    int stride = 1;
    for (int u = nc - 1; u > t; --u) stride *= DA::at(CA::at(u));
    return (c / stride) % DA::at(CA::at(t));
  }
  // Flat index into A (in_a) or B of the term (o, c).
  static constexpr int index(bool in_a, int o, int c) {
    int flat = 0;
    for (int r = 0; r < (in_a ? na : nb); ++r) {
      const int t = cont_pos(in_a, r);
      const int ir = t >= 0 ? cont_index(c, t) : keep_index(o, in_a ? keep_pos(true, r) : nka + keep_pos(false, r));
      flat = flat * (in_a ? DA::at(r) : DB::at(r)) + ir;
    }
    return flat;
  }

  static constexpr bool axes_valid() {
    if (CB::size != nc || nc > na || nc > nb) return false;
    for (int t = 0; t < nc; ++t) {
      if (CA::at(t) < 0 || CA::at(t) >= na || CB::at(t) < 0 || CB::at(t) >= nb) return false;
      if (DA::at(CA::at(t)) != DB::at(CB::at(t))) return false;
      for (int u = 0; u < t; ++u)
        if (CA::at(u) == CA::at(t) || CB::at(u) == CB::at(t)) return false;
    }
    for (int r = 0; r < na; ++r)
      if (DA::at(r) < 1) return false;
    for (int r = 0; r < nb; ++r)
      if (DB::at(r) < 1) return false;
    return true;
  }
  static constexpr bool perm_valid() {
    if (P::size == 0) return true;
    if (P::size != nk) return false;
    for (int q = 0; q < nk; ++q) {
      if (P::at(q) < 0 || P::at(q) >= nk) return false;
      for (int u = 0; u < q; ++u)
        if (P::at(u) == P::at(q)) return false;
    }
    return true;
  }
};

}  // namespace detail

/// TensorDot(a, b, dimsa, dimsb, conta, contb[, permute]): a and b read as row-major tensors of
/// shapes dimsa and dimsb; axes conta[t] of a are contracted with axes contb[t] of b; the result has
/// the kept axes of a then those of b, kept axis q moved to position permute[q] (KeOps' convention).
template <class A, class B, class DA, class DB, class CA, class CB, class P>
struct TensorDotNode : FormulaBase {
  using Plan = detail::TensorDotPlan<DA, DB, CA, CB, P>;
  static_assert(DA::size >= 1 && DB::size >= 1, "kokkeops: TensorDot needs at least one axis per operand");
  static_assert(Plan::axes_valid(),
                "kokkeops: TensorDot: the contracted axes must be distinct, in range, as many for both operands, "
                "and of equal extents, and every extent must be >= 1");
  static_assert(!Plan::axes_valid() || (Plan::prod(true) == A::dim && Plan::prod(false) == B::dim),
                "kokkeops: TensorDot: the product of each shape must equal the dimension of its operand");
  static_assert(Plan::perm_valid(),
                "kokkeops: TensorDot: permute must be a permutation of the kept axes 0 .. n-1");
  static_assert(detail::slots_consistent<A, B>(), KOKKEOPS_SLOTS_MESSAGE);
  A a;
  B b;
  static constexpr int dim = Plan::axes_valid() && Plan::perm_valid() ? Plan::dim_out() : 1;
  static constexpr int DC = Plan::axes_valid() ? Plan::dim_cont() : 1;
  static constexpr void collect(detail::SlotTable& t) {
    A::collect(t);
    B::collect(t);
  }
  template <class T, class Ctx>
  KOKKOS_FORCEINLINE_FUNCTION void eval(T* out, const Ctx& ctx) const {
    T va[A::dim], vb[B::dim];
    a.eval(va, ctx);
    b.eval(vb, ctx);
    static_for<dim>([&](auto o) KOKKEOPS_LAMBDA_INLINE {
      constexpr int o_ = decltype(o)::value;
      T s = va[Plan::index(true, o_, 0)] * vb[Plan::index(false, o_, 0)];
      static_for<DC - 1>([&](auto c) KOKKEOPS_LAMBDA_INLINE {
        constexpr int c_ = decltype(c)::value + 1;
        constexpr int ia = Plan::index(true, o_, c_), ib = Plan::index(false, o_, c_);
        s += va[ia] * vb[ib];
      });
      out[o] = s;
    });
  }
  std::string str() const {
    return "TensorDot(" + a.str() + "," + b.str() + "," + DA::str() + "," + DB::str() + "," + CA::str() + "," +
           CB::str() + (P::size ? "," + P::str() : std::string()) + ")";
  }
};

template <class A, class B, int... DA, int... DB, int... CA, int... CB,
          std::enable_if_t<is_formula_v<A> && is_formula_v<B>, int> = 0>
TensorDotNode<A, B, Ind<DA...>, Ind<DB...>, Ind<CA...>, Ind<CB...>, Ind<>> TensorDot(const A& a, const B& b,
                                                                                   Ind<DA...>, Ind<DB...>,
                                                                                   Ind<CA...>, Ind<CB...>) {
  return {{}, a, b};
}
template <class A, class B, int... DA, int... DB, int... CA, int... CB, int... P,
          std::enable_if_t<is_formula_v<A> && is_formula_v<B>, int> = 0>
TensorDotNode<A, B, Ind<DA...>, Ind<DB...>, Ind<CA...>, Ind<CB...>, Ind<P...>> TensorDot(
    const A& a, const B& b, Ind<DA...>, Ind<DB...>, Ind<CA...>, Ind<CB...>, Ind<P...>) {
  return {{}, a, b};
}

namespace detail {
// Kron's interleaving: kept axis q < n (of a) goes to 2q, kept axis n + q (of b) to 2q + 1.
template <int N, int... Q>
constexpr auto kron_permutation(std::integer_sequence<int, Q...>) {
  return Ind<(Q < N ? 2 * Q : 2 * (Q - N) + 1)...>{};
}
}  // namespace detail

/// Kron(a, b, dimsa, dimsb): the Kronecker product of two tensors with as many axes (np.kron), i.e.
/// TensorDot without contraction, axes interleaved; shape (dimsa[0] dimsb[0], dimsa[1] dimsb[1], ...).
template <class A, class B, int... DA, int... DB, std::enable_if_t<is_formula_v<A> && is_formula_v<B>, int> = 0>
auto Kron(const A& a, const B& b, Ind<DA...> da, Ind<DB...> db) {
  static_assert(sizeof...(DA) == sizeof...(DB), "kokkeops: Kron needs two tensors with the same number of axes");
  constexpr int n = static_cast<int>(sizeof...(DA));
  return TensorDot(a, b, da, db, Ind<>{}, Ind<>{}, detail::kron_permutation<n>(std::make_integer_sequence<int, 2 * n>{}));
}

#undef KOKKEOPS_SLOTS_MESSAGE

}  // namespace kokkeops::formulas
