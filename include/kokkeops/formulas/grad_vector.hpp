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

}  // namespace kokkeops::formulas
