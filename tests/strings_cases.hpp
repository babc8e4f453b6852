// The formula-string cases shared by tests/strings.cpp (parser) and tests/strings_codegen_gen.cpp (code
// generation): every operation of the catalogue, its dimension, and the same formula written in C++.
#pragma once

#include <string>
#include <vector>

namespace kokkeops::test::strings {

// Aliases of the tests: vectors of dimension 3 (x, y, z: Vi, Vj, Vi), scalars (a: Vj, g: Pm), dimension 2
// (c, w: Vi, Vj; complex numbers), 9 (m: Vj, a 3 x 3 matrix), 4 (q: Vi, complex pair or 2 x 2).
inline const std::vector<std::string> kAliases = {"x = Vi(3)", "y = Vj(3)", "z = Vi(3)", "a = Vj(1)", "g = Pm(1)",
                                           "c = Vi(2)", "w = Vj(2)", "m = Vj(9)", "q = Vi(4)"};

struct OpCase {
  const char* op;
  const char* formula;
  int dim;
  const char* typed;  // the C++ spelling (typed API), on the variables of kAliases
};
// The last test of tests/strings.cpp checks that this table names every operation the parser knows.
inline const OpCase kOps[] = {
    {"Exp", "Exp(x)", 3, "Exp(x)"},
    {"Log", "Log(a)", 1, "Log(a)"},
    {"Sqrt", "Sqrt(x)", 3, "Sqrt(x)"},
    {"Rsqrt", "Rsqrt(x)", 3, "Rsqrt(x)"},
    {"Inv", "Inv(x)", 3, "Inv(x)"},
    {"Square", "Square(x)", 3, "Square(x)"},
    {"Abs", "Abs(x)", 3, "Abs(x)"},
    {"Sin", "Sin(x)", 3, "Sin(x)"},
    {"Cos", "Cos(x)", 3, "Cos(x)"},
    {"Asin", "Asin(x)", 3, "Asin(x)"},
    {"Acos", "Acos(x)", 3, "Acos(x)"},
    {"Atan", "Atan(x)", 3, "Atan(x)"},
    {"Floor", "Floor(x)", 3, "Floor(x)"},
    {"Sign", "Sign(x)", 3, "Sign(x)"},
    {"Step", "Step(x)", 3, "Step(x)"},
    {"ReLU", "ReLU(x)", 3, "ReLU(x)"},
    {"SinXDivX", "SinXDivX(x)", 3, "SinXDivX(x)"},
    {"XLogX", "XLogX(x)", 3, "XLogX(x)"},
    {"Minus", "Minus(x)", 3, "-x"},
    {"Add", "Add(x, a)", 3, "x + a"},
    {"Subtract", "Subtract(a, x)", 3, "a - x"},
    {"Mult", "Mult(x, y)", 3, "x * y"},
    {"Divide", "Divide(x, g)", 3, "x / g"},
    {"Atan2", "Atan2(x, y)", 3, "Atan2(x, y)"},
    {"Powf", "Powf(x, a)", 3, "Powf(x, a)"},
    {"Equal", "Equal(x, y)", 3, "Equal(x, y)"},
    {"NotEqual", "NotEqual(x, y)", 3, "NotEqual(x, y)"},
    {"LessThan", "LessThan(x, 1)", 3, "LessThan(x, IntCst<1>{})"},
    {"LessOrEqual", "LessOrEqual(x, y)", 3, "LessOrEqual(x, y)"},
    {"Clamp", "Clamp(x, 0, 1)", 3, "Clamp(x, IntCst<0>{}, IntCst<1>{})"},
    {"IfElse", "IfElse(x, y, a)", 3, "IfElse(x, y, a)"},
    {"Mod", "Mod(x, 2, 0.5)", 3, "Mod(x, IntCst<2>{}, constant(0.5))"},
    {"Pow", "Pow(x, 3)", 3, "Pow<3>(x)"},
    {"Round", "Round(x, -2)", 3, "Round(x, -2)"},
    {"ClampInt", "ClampInt(x, -1, 2)", 3, "ClampInt(x, -1, 2)"},
    {"DiffClampInt", "DiffClampInt(x, 0, 1)", 3, "DiffClampInt(x, 0, 1)"},
    {"Sum", "Sum(x)", 1, "Sum(x)"},
    {"SqNorm2", "SqNorm2(x)", 1, "SqNorm2(x)"},
    {"Norm2", "Norm2(x)", 1, "Norm2(x)"},
    {"Max", "Max(x)", 1, "Max(x)"},
    {"Min", "Min(x)", 1, "Min(x)"},
    {"ArgMax", "ArgMax(x)", 1, "ArgMax(x)"},
    {"ArgMin", "ArgMin(x)", 1, "ArgMin(x)"},
    {"Scalprod", "Scalprod(x, y)", 1, "(x | y)"},
    {"SqDist", "SqDist(x, y)", 1, "SqDist(x, y)"},
    {"WeightedSqNorm", "WeightedSqNorm(m, x)", 1, "WeightedSqNorm(m, x)"},
    {"WeightedSqDist", "WeightedSqDist(g, x, y)", 1, "WeightedSqDist(g, x, y)"},
    {"Normalize", "Normalize(x)", 3, "Normalize(x)"},
    {"SumT", "SumT(a, 5)", 5, "SumT<5>(a)"},
    {"OneHot", "OneHot(a, 4)", 4, "OneHot<4>(a)"},
    {"Elem", "Elem(x, 2)", 1, "Elem<2>(x)"},
    {"ElemT", "ElemT(a, 6, 5)", 6, "ElemT<5, 6>(a)"},
    {"Extract", "Extract(m, 3, 4)", 4, "Extract<3, 4>(m)"},
    {"ExtractT", "ExtractT(x, 2, 7)", 7, "ExtractT<2, 7>(x)"},
    {"Concat", "Concat(x, c)", 5, "Concat(x, c)"},
    {"MatVecMult", "MatVecMult(m, x)", 3, "MatVecMult(m, x)"},
    {"VecMatMult", "VecMatMult(x, m)", 3, "VecMatMult(x, m)"},
    {"TensorProd", "TensorProd(x, c)", 6, "TensorProd(x, c)"},
    {"TensorDot", "TensorDot(m, x, Ind(3, 3), Ind(3), Ind(1), Ind(0))", 3, "TensorDot(m, x, Ind<3, 3>{}, Ind<3>{}, Ind<1>{}, Ind<0>{})"},
    {"Kron", "Kron(q, q, Ind(2, 2), Ind(2, 2))", 16, "Kron(q, q, Ind<2, 2>{}, Ind<2, 2>{})"},
    {"ComplexAdd", "ComplexAdd(q, c)", 4, "ComplexAdd(q, c)"},
    {"ComplexSubtract", "ComplexSubtract(c, w)", 2, "ComplexSubtract(c, w)"},
    {"ComplexMult", "ComplexMult(q, q)", 4, "ComplexMult(q, q)"},
    {"ComplexDivide", "ComplexDivide(c, q)", 4, "ComplexDivide(c, q)"},
    {"ComplexExp", "ComplexExp(q)", 4, "ComplexExp(q)"},
    {"Conj", "Conj(q)", 4, "Conj(q)"},
    {"ComplexReal", "ComplexReal(q)", 2, "ComplexReal(q)"},
    {"ComplexImag", "ComplexImag(q)", 2, "ComplexImag(q)"},
    {"ComplexSquareAbs", "ComplexSquareAbs(q)", 2, "ComplexSquareAbs(q)"},
    {"ComplexAbs", "ComplexAbs(c)", 1, "ComplexAbs(c)"},
    {"ComplexAngle", "ComplexAngle(q)", 2, "ComplexAngle(q)"},
    {"Real2Complex", "Real2Complex(x)", 6, "Real2Complex(x)"},
    {"Imag2Complex", "Imag2Complex(a)", 2, "Imag2Complex(a)"},
    {"ComplexExp1j", "ComplexExp1j(x)", 6, "ComplexExp1j(x)"},
    {"ComplexSum", "ComplexSum(q)", 2, "ComplexSum(q)"},
    {"ComplexSumT", "ComplexSumT(c, 6)", 6, "ComplexSumT<6>(c)"},
    {"ComplexRealScal", "ComplexRealScal(a, q)", 4, "ComplexRealScal(a, q)"},
    {"Grad", "Grad(Exp(-SqDist(x, y)) * a, x, g)", 3, "Grad(Exp(-SqDist(x, y)) * a, x, g)"},
    {"Diff", "Diff(Exp(-SqDist(x, y)), x, z)", 1, "Diff(Exp(-SqDist(x, y)), x, z)"},
    {"Laplacian", "Laplacian(Exp(-SqDist(x, y)), x)", 1, "Laplacian(Exp(-SqDist(x, y)), x)"},
    {"Divergence", "Divergence(x * SqNorm2(y - x), x)", 1, "Divergence(x * SqNorm2(y - x), x)"},
};

}  // namespace kokkeops::test::strings
