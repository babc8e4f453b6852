// Gradient rules of the complex operations (complex.hpp). Included by grad.hpp; see there for the scheme.
//
// A complex vector of length n is a real formula of dimension 2n, so its gradient is the real one:
// [df/dv]^T e with f, v and e read as real vectors. For an operation holomorphic in z (multiplication
// by a, exp, 1/z, ...), df = g'(z) dz, and the transpose of the real 2 x 2 block of "multiply by g'" is
// "multiply by conj(g')": the adjoint is conj(g'(z)) e, one complex product per number.
#pragma once

#include <kokkeops/formulas/complex.hpp>
#include <kokkeops/formulas/grad.hpp>

#include <type_traits>

namespace kokkeops::formulas {

namespace detail {
/// The adjoint of complex broadcast: an upstream of dimension d sent to an operand of dimension D
/// (D = d, or D = 2: one complex number, summed).
template <int D, class E>
auto complex_sum_to(const E& e) {
  static_assert(E::dim == D || D == 2, "kokkeops: internal: complex broadcast adjoint of incompatible dimensions");
  if constexpr (E::dim == D) return e;
  else if constexpr (is_zero_v<E>) return Zero<2>{};
  else return ComplexSum(e);
}
/// c_k z_k for n reals c and n complex numbers z (dimension 2n).
template <class C, class Z>
auto real_times_complex(const C& c, const Z& z) {
  static_assert(2 * C::dim == Z::dim, "kokkeops: internal: real_times_complex of incompatible dimensions");
  if constexpr (C::dim == 1) return times(c, z);
  else return ComplexMult(Real2Complex(c), z);
}
}  // namespace detail

// ---------------------------------------------------------------- complex (x) complex -> complex

template <class Op, class A, class B, class V, class E>
auto grad_rule(const ComplexBinary<Op, A, B>& n, const V& v, const E& e) {
  using detail::complex_sum_to;
  using detail::grad;
  using detail::plus;
  if constexpr (std::is_same_v<Op, op::ComplexAdd>) {
    return plus(grad(n.a, v, complex_sum_to<A::dim>(e)), grad(n.b, v, complex_sum_to<B::dim>(e)));
  } else if constexpr (std::is_same_v<Op, op::ComplexSubtract>) {
    return plus(grad(n.a, v, complex_sum_to<A::dim>(e)), grad(n.b, v, detail::neg(complex_sum_to<B::dim>(e))));
  } else if constexpr (std::is_same_v<Op, op::ComplexMult>) {  // d(ab) = b da + a db
    return plus(grad(n.a, v, complex_sum_to<A::dim>(ComplexMult(e, Conj(n.b)))),
                grad(n.b, v, complex_sum_to<B::dim>(ComplexMult(e, Conj(n.a)))));
  } else {
    static_assert(std::is_same_v<Op, op::ComplexDivide>);
    // d(a/b) = da / b - (a/b) db / b: the adjoints e / conj(b) and -e conj(a/b) / conj(b).
    return plus(grad(n.a, v, complex_sum_to<A::dim>(ComplexDivide(e, Conj(n.b)))),
                grad(n.b, v, complex_sum_to<B::dim>(-ComplexDivide(ComplexMult(e, Conj(n)), Conj(n.b)))));
  }
}

// ---------------------------------------------------------------- one complex number at a time

template <class Op, class F, class V, class E>
auto grad_rule(const ComplexMap<Op, F>& n, const V& v, const E& e) {
  using detail::grad;
  using detail::real_times_complex;
  if constexpr (std::is_same_v<Op, op::ComplexExp>) {  // holomorphic, exp' = exp
    return grad(n.f, v, ComplexMult(e, Conj(n)));
  } else if constexpr (std::is_same_v<Op, op::Conj>) {  // a symmetric reflection
    return grad(n.f, v, Conj(e));
  } else if constexpr (std::is_same_v<Op, op::ComplexReal>) {
    return grad(n.f, v, Real2Complex(e));
  } else if constexpr (std::is_same_v<Op, op::ComplexImag>) {
    return grad(n.f, v, Imag2Complex(e));
  } else if constexpr (std::is_same_v<Op, op::Real2Complex>) {
    return grad(n.f, v, ComplexReal(e));
  } else if constexpr (std::is_same_v<Op, op::Imag2Complex>) {
    return grad(n.f, v, ComplexImag(e));
  } else if constexpr (std::is_same_v<Op, op::ComplexSquareAbs>) {  // x^2 + y^2: 2 e (x, y)
    return grad(n.f, v, real_times_complex(IntCst<2>{} * e, n.f));
  } else if constexpr (std::is_same_v<Op, op::ComplexAbs>) {
    // e (x, y) / |z|, through Rsqrt whose convention Rsqrt(0) = 0 gives 0 at z = 0 (as Norm2).
    return grad(n.f, v, real_times_complex(e * Rsqrt(ComplexSquareAbs(n.f)), n.f));
  } else if constexpr (std::is_same_v<Op, op::ComplexAngle>) {  // atan2(y, x): e (-y, x) / |z|^2 = i z e / |z|^2
    return grad(n.f, v, ComplexMult(Imag2Complex(e / ComplexSquareAbs(n.f)), n.f));
  } else {
    static_assert(std::is_same_v<Op, op::ComplexExp1j>);  // (cos x, sin x): -sin x e_re + cos x e_im
    return grad(n.f, v, ComplexImag(e) * Cos(n.f) - ComplexReal(e) * Sin(n.f));
  }
}

// ---------------------------------------------------------------- sums and scalings

template <class F, class V, class E>
auto grad_rule(const ComplexSumNode<F>& n, const V& v, const E& e) {
  if constexpr (F::dim == 2) return detail::grad(n.f, v, e);
  else return detail::grad(n.f, v, ComplexSumT<F::dim>(e));
}
template <int D, class F, class V, class E>
auto grad_rule(const ComplexSumTNode<D, F>& n, const V& v, const E& e) {
  return detail::grad(n.f, v, ComplexSum(e));
}
// s g: ds = (g | e), dg = s e.
template <class S, class G, class V, class E>
auto grad_rule(const ComplexRealScalNode<S, G>& n, const V& v, const E& e) {
  return detail::plus(detail::grad(n.s, v, (n.g | e)), detail::grad(n.g, v, detail::times(n.s, e)));
}

}  // namespace kokkeops::formulas
