// Gradient rules of the vector operations (vector.hpp). Included by grad.hpp; see there for the scheme.
#pragma once

#include <kokkeops/formulas/grad.hpp>
#include <kokkeops/formulas/vector.hpp>

namespace kokkeops::formulas {

// ---------------------------------------------------------------- layout: adjoint pairs

template <int D, class F, class V, class E>
auto grad_rule(const SumTNode<D, F>& n, const V& v, const E& e) {
  return detail::grad(n.f, v, Sum(e));
}
template <int M, class F, class V, class E>
auto grad_rule(const ElemNode<M, F>& n, const V& v, const E& e) {
  return detail::grad(n.f, v, ElemT<M, F::dim>(e));
}
template <int M, int D, class F, class V, class E>
auto grad_rule(const ElemTNode<M, D, F>& n, const V& v, const E& e) {
  return detail::grad(n.f, v, Elem<M>(e));
}
template <int Start, int Len, class F, class V, class E>
auto grad_rule(const ExtractNode<Start, Len, F>& n, const V& v, const E& e) {
  return detail::grad(n.f, v, ExtractT<Start, F::dim>(e));
}
template <int Start, int D, class F, class V, class E>
auto grad_rule(const ExtractTNode<Start, D, F>& n, const V& v, const E& e) {
  return detail::grad(n.f, v, Extract<Start, F::dim>(e));
}
template <class A, class B, class V, class E>
auto grad_rule(const ConcatNode<A, B>& n, const V& v, const E& e) {
  return detail::plus(detail::grad(n.a, v, Extract<0, A::dim>(e)), detail::grad(n.b, v, Extract<A::dim, B::dim>(e)));
}

// ---------------------------------------------------------------- reductions within a vector

// Max / Min: the upstream goes to the component the matching Arg selects; ArgMax / ArgMin: zero.
template <class Op, class F, class V, class E>
auto grad_rule(const VecExtremum<Op, F>& n, const V& v, const E& e) {
  if constexpr (Op::is_arg) {
    return Zero<V::dim>{};
  } else {
    using ArgOp = std::conditional_t<Op::is_max, op::VecArgMax, op::VecArgMin>;
    return detail::grad(n.f, v, e * OneHot<F::dim>(VecExtremum<ArgOp, F>{{}, n.f}));
  }
}

// OneHot: piecewise constant.
template <int D, class F, class V, class E>
auto grad_rule(const OneHotNode<D, F>&, const V&, const E&) {
  return Zero<V::dim>{};
}

// ---------------------------------------------------------------- weighted norms

// s |f|^2, sum_k s_k f_k^2, or f^T S f (S row-major): ds = e |f|^2, e f^2, e f f^T;
// df = 2 e s f (both first forms), e (S + S^T) f.
template <class S, class F, class V, class E>
auto grad_rule(const WeightedSqNormNode<S, F>& n, const V& v, const E& e) {
  using detail::grad;
  using detail::times;
  constexpr int D = F::dim;
  if constexpr (S::dim == 1)
    return detail::plus(grad(n.s, v, times(e, SqNorm2(n.f))), grad(n.f, v, (IntCst<2>{} * times(e, n.s)) * n.f));
  else if constexpr (S::dim == D)
    return detail::plus(grad(n.s, v, times(e, Square(n.f))), grad(n.f, v, (IntCst<2>{} * times(e, n.s)) * n.f));
  else
    return detail::plus(grad(n.s, v, times(e, TensorProd(n.f, n.f))),
                        grad(n.f, v, times(e, MatVecMult(n.s, n.f) + VecMatMult(n.f, n.s))));
}

// ---------------------------------------------------------------- matrix products (row-major)

// out_i = sum_k A[i p + k] b_k: dA = e b^T, db = A^T e.
template <class A, class B, class V, class E>
auto grad_rule(const MatVecMultNode<A, B>& n, const V& v, const E& e) {
  return detail::plus(detail::grad(n.a, v, TensorProd(e, n.b)), detail::grad(n.b, v, VecMatMult(e, n.a)));
}
// out_j = sum_k b_k A[k p + j]: db = A e, dA = b e^T.
template <class B, class A, class V, class E>
auto grad_rule(const VecMatMultNode<B, A>& n, const V& v, const E& e) {
  return detail::plus(detail::grad(n.b, v, MatVecMult(n.a, e)), detail::grad(n.a, v, TensorProd(n.b, e)));
}
// out[k dim(b) + l] = a_k b_l: da = E b, db = E^T a (E: e read as a dim(a) x dim(b) matrix).
template <class A, class B, class V, class E>
auto grad_rule(const TensorProdNode<A, B>& n, const V& v, const E& e) {
  return detail::plus(detail::grad(n.a, v, MatVecMult(e, n.b)), detail::grad(n.b, v, VecMatMult(n.a, e)));
}

// ---------------------------------------------------------------- general tensor contraction

namespace detail {

// The adjoint of TensorDot with respect to one operand ("self": a if WrtA, else b) is another
// TensorDot: the upstream e, read with the output's shape, contracted with the other operand over the
// axes that operand keeps; the result's axes (e's free axes, then the other operand's contracted
// axes) are sent back to their positions in self. A full contraction (a scalar output) reads e with
// one axis of extent 1, sent after self's axes, where it does not change a flat index.
template <class DA, class DB, class CA, class CB, class P, bool WrtA>
struct TensorDotAdjoint {
  using Plan = TensorDotPlan<DA, DB, CA, CB, P>;
  static constexpr int nk = Plan::nk, nc = Plan::nc;
  static constexpr int n_self = WrtA ? Plan::na : Plan::nb;
  static constexpr int n_other = WrtA ? Plan::nb : Plan::na;
  static constexpr int nko = n_other - nc;               // axes the other operand keeps
  static constexpr int q0_self = WrtA ? 0 : Plan::nka;   // first kept rank of self
  static constexpr int q0_other = WrtA ? Plan::nka : 0;  // first kept rank of the other
  static constexpr int ne = nk > 0 ? nk : 1;             // axes of e
  static constexpr int n_out = ne - nko + nc;            // axes of the adjoint: n_self (+ 1 if nk = 0)

  static constexpr int e_extent(int i) { return nk > 0 ? Plan::out_extent(i) : 1; }
  // The m-th axis (ascending) of self or of the other operand that the plan keeps (or contracts).
  static constexpr int axis(bool self, bool kept, int m) {
    const bool in_a = self == WrtA;
    for (int r = 0; r < (self ? n_self : n_other); ++r)
      if ((Plan::cont_pos(in_a, r) < 0) == kept) {
        if (m == 0) return r;
        --m;
      }
    return -1;
  }
  static constexpr int cont_e(int j) { return Plan::perm(q0_other + j); }  // e's axis for the other's kept axis j
  static constexpr int cont_other(int j) { return axis(false, true, j); }
  static constexpr bool e_contracted(int i) {
    for (int j = 0; j < nko; ++j)
      if (cont_e(j) == i) return true;
    return false;
  }
  static constexpr int perm(int m) {
    const int n_free = ne - nko;
    if (m < n_free) {
      if (nk == 0) return n_self;  // the extent-1 axis
      int i = 0;
      for (int c = m;; ++i)
        if (!e_contracted(i)) {
          if (c == 0) break;
          --c;
        }
      int q = 0;  // the kept rank that the plan sends to output axis i
      while (Plan::perm(q) != i) ++q;
      return axis(true, true, q - q0_self);
    }
    const int t = Plan::cont_pos(!WrtA, axis(false, false, m - n_free));
    return WrtA ? CA::at(t) : CB::at(t);
  }

  template <int... I>
  static Ind<e_extent(I)...> e_shape(std::integer_sequence<int, I...>) { return {}; }
  template <int... J>
  static Ind<cont_e(J)...> e_axes(std::integer_sequence<int, J...>) { return {}; }
  template <int... J>
  static Ind<cont_other(J)...> other_axes(std::integer_sequence<int, J...>) { return {}; }
  template <int... M>
  static Ind<perm(M)...> permutation(std::integer_sequence<int, M...>) { return {}; }

  template <class Ee, class Other, class DOther>
  static auto make(const Ee& e, const Other& other, DOther) {
    return TensorDot(e, other, e_shape(std::make_integer_sequence<int, ne>{}), DOther{},
                     e_axes(std::make_integer_sequence<int, nko>{}), other_axes(std::make_integer_sequence<int, nko>{}),
                     permutation(std::make_integer_sequence<int, n_out>{}));
  }
};

}  // namespace detail

template <class A, class B, class DA, class DB, class CA, class CB, class P, class V, class E>
auto grad_rule(const TensorDotNode<A, B, DA, DB, CA, CB, P>& n, const V& v, const E& e) {
  using AdjA = detail::TensorDotAdjoint<DA, DB, CA, CB, P, true>;
  using AdjB = detail::TensorDotAdjoint<DA, DB, CA, CB, P, false>;
  return detail::plus(detail::grad(n.a, v, AdjA::make(e, n.b, DB{})), detail::grad(n.b, v, AdjB::make(e, n.a, DA{})));
}

}  // namespace kokkeops::formulas
