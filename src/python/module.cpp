// kokkeops._core: the Python module's compiled part (pybind11), a thin layer over the C interface
// (kokkeops/kokkeops.h): Genred and solver handles, runs on NumPy arrays without copies (strides in elements),
// errors raised as kokkeops.Error with the library's message. The pykeops-like classes are in Python
// (src/python/kokkeops/numpy.py).
#include <kokkeops/kokkeops.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace py = pybind11;

namespace {

py::object& error_type() {
  static py::object t;
  return t;
}

[[noreturn]] void raise(int status, const std::string& message) {
  PyErr_SetObject(error_type().ptr(), py::make_tuple(message, status).ptr());
  throw py::error_already_set();
}

std::int32_t dtype_of(const py::array& a) {
  if (a.dtype().is(py::dtype::of<float>())) return KOKKEOPS_DTYPE_FLOAT32;
  if (a.dtype().is(py::dtype::of<double>())) return KOKKEOPS_DTYPE_FLOAT64;
  if (a.dtype().is(py::dtype::of<std::int64_t>())) return KOKKEOPS_DTYPE_INT64;
  return 0;
}

// An array as a kokkeops_array without a copy: rank 1 is one row (a parameter), rank 2 (rows, cols). Strides must
// be whole elements (NumPy's may not be: then the caller copies).
kokkeops_array as_array(const py::array& a, bool writable, const char* what, std::size_t k) {
  if (writable && !a.writeable()) throw py::value_error(std::string(what) + " " + std::to_string(k) + " is read-only");
  const std::int32_t dt = dtype_of(a);
  if (!dt)
    throw py::type_error(std::string(what) + " " + std::to_string(k) + ": dtype " + std::string(py::str(a.dtype())) +
                         " (float32, float64 or int64 expected)");
  const auto item = static_cast<py::ssize_t>(a.itemsize());
  kokkeops_array r{};
  r.data = const_cast<void*>(a.data());
  r.dtype = dt;
  if (a.ndim() == 1) {
    r.rows = 1;
    r.cols = a.shape(0);
    r.col_stride = a.strides(0) / item;
    r.row_stride = r.cols * r.col_stride;
    if (a.strides(0) % item) throw py::value_error(std::string(what) + ": strides not in whole elements");
  } else if (a.ndim() == 2) {
    r.rows = a.shape(0);
    r.cols = a.shape(1);
    r.row_stride = a.strides(0) / item;
    r.col_stride = a.strides(1) / item;
    if (a.strides(0) % item || a.strides(1) % item)
      throw py::value_error(std::string(what) + ": strides not in whole elements");
  } else {
    throw py::value_error(std::string(what) + " " + std::to_string(k) + " has " + std::to_string(a.ndim()) +
                          " dimensions (1 for a Pm parameter, 2 for a Vi/Vj variable)");
  }
  return r;
}

std::vector<kokkeops_array> as_arrays(const std::vector<py::array>& v, bool writable, const char* what) {
  std::vector<kokkeops_array> r;
  r.reserve(v.size());
  for (std::size_t k = 0; k < v.size(); ++k) r.push_back(as_array(v[k], writable, what, k));
  return r;
}

py::dict info_dict(const kokkeops_entry_info& e) {
  py::dict d;
  d["key"] = std::string(e.key);
  d["formula"] = std::string(e.formula);
  d["reduction"] = std::string(e.reduction);
  d["axis"] = e.axis;
  d["num_args"] = e.num_args;
  d["num_outputs"] = e.num_outputs;
  std::vector<int> cat(e.arg_category, e.arg_category + e.num_args), dim(e.arg_dim, e.arg_dim + e.num_args);
  d["arg_category"] = cat;
  d["arg_dim"] = dim;
  d["output_cols"] = std::vector<int>(e.output_cols, e.output_cols + e.num_outputs);
  d["output_dtype"] = std::vector<int>(e.output_dtype, e.output_dtype + e.num_outputs);
  d["unknown"] = e.unknown;
  return d;
}

std::vector<const char*> c_strings(const std::vector<std::string>& v) {
  std::vector<const char*> r;
  for (const std::string& s : v) r.push_back(s.c_str());
  return r;
}

void ensure_initialized() {
  if (kokkeops_is_initialized()) return;
  const int rc = kokkeops_initialize(nullptr, nullptr);
  if (rc != KOKKEOPS_OK) raise(rc, kokkeops_last_error());
}

class Genred {
 public:
  Genred(const std::string& formula, const std::vector<std::string>& aliases, const std::string& reduction, int axis,
         int opt_arg, const std::string& formula2) {
    const auto al = c_strings(aliases);
    kokkeops_genred* h = nullptr;
    const int rc = kokkeops_genred_create(&h, formula.c_str(), al.data(), static_cast<int>(al.size()),
                                          reduction.c_str(), axis, opt_arg, formula2.empty() ? nullptr : formula2.c_str());
    handle_.reset(h);
    if (rc != KOKKEOPS_OK) raise(rc, h ? kokkeops_genred_error(h) : kokkeops_last_error());
  }
  py::dict info(std::int32_t dtype) {
    const kokkeops_entry_info* e = nullptr;
    int rc;
    {
      py::gil_scoped_release unlocked;  // may compile the formula (seconds)
      rc = kokkeops_genred_info(handle_.get(), dtype, &e);
    }
    if (rc != KOKKEOPS_OK) raise(rc, kokkeops_genred_error(handle_.get()));
    return info_dict(*e);
  }
  void set_segments(int s) {
    const int rc = kokkeops_genred_set_segments(handle_.get(), s);
    if (rc != KOKKEOPS_OK) raise(rc, kokkeops_genred_error(handle_.get()));
  }
  void run(const std::vector<py::array>& outputs, const std::vector<py::array>& args) {
    ensure_initialized();
    const auto out = as_arrays(outputs, true, "output");
    const auto in = as_arrays(args, false, "argument");
    int rc;
    {
      py::gil_scoped_release unlocked;
      rc = kokkeops_genred_run(handle_.get(), out.data(), static_cast<int>(out.size()), in.data(),
                               static_cast<int>(in.size()), KOKKEOPS_MEMORY_HOST);
    }
    if (rc != KOKKEOPS_OK) raise(rc, kokkeops_genred_error(handle_.get()));
  }

 private:
  struct Del {
    void operator()(kokkeops_genred* h) const { kokkeops_genred_destroy(h); }
  };
  std::unique_ptr<kokkeops_genred, Del> handle_;
};

class Solver {
 public:
  Solver(const std::string& formula, const std::vector<std::string>& aliases, const std::string& unknown, int axis) {
    const auto al = c_strings(aliases);
    kokkeops_solver* h = nullptr;
    const int rc =
        kokkeops_solver_create(&h, formula.c_str(), al.data(), static_cast<int>(al.size()), unknown.c_str(), axis);
    handle_.reset(h);
    if (rc != KOKKEOPS_OK) raise(rc, h ? kokkeops_solver_error(h) : kokkeops_last_error());
  }
  py::dict info(std::int32_t dtype) {
    const kokkeops_entry_info* e = nullptr;
    int rc;
    {
      py::gil_scoped_release unlocked;
      rc = kokkeops_solver_info(handle_.get(), dtype, &e);
    }
    if (rc != KOKKEOPS_OK) raise(rc, kokkeops_solver_error(handle_.get()));
    return info_dict(*e);
  }
  py::dict solve(const py::array& solution, const std::vector<py::array>& args, double alpha, double tolerance,
                 bool keops_criterion, int max_iterations, int preconditioner, int landmarks, std::uint64_t seed,
                 int verbosity) {
    ensure_initialized();
    const kokkeops_array sol = as_array(solution, true, "solution", 0);
    const auto in = as_arrays(args, false, "argument");
    kokkeops_solve_options o;
    kokkeops_solve_options_init(&o);
    o.alpha = alpha;
    o.tolerance = tolerance;
    o.keops_criterion = keops_criterion ? 1 : 0;
    o.max_iterations = max_iterations;
    o.preconditioner = preconditioner;
    o.landmarks = landmarks;
    o.seed = seed;
    o.verbosity = verbosity;
    std::vector<double> rel(static_cast<std::size_t>(std::max<std::int64_t>(sol.cols, 1)));
    kokkeops_solve_report r{};
    r.struct_size = sizeof r;
    r.relative_residual = rel.data();
    r.relative_residual_size = static_cast<std::int32_t>(rel.size());
    int rc;
    {
      py::gil_scoped_release unlocked;
      rc = kokkeops_solver_solve(handle_.get(), &sol, in.data(), static_cast<int>(in.size()), KOKKEOPS_MEMORY_HOST, &o, &r);
    }
    if (rc != KOKKEOPS_OK) raise(rc, kokkeops_solver_error(handle_.get()));
    py::dict d;
    d["converged"] = r.converged != 0;
    d["reason"] = r.reason;
    d["iterations"] = r.iterations;
    d["kernel_products"] = r.kernel_products;
    d["restarts"] = r.restarts;
    d["preconditioner"] = r.preconditioner;
    d["landmarks"] = r.landmarks;
    d["rms_residual"] = r.rms_residual;
    d["setup_seconds"] = r.setup_seconds;
    d["seconds"] = r.seconds;
    d["relative_residual"] = std::vector<double>(rel.begin(), rel.begin() + std::min<std::int64_t>(sol.cols, rel.size()));
    return d;
  }

 private:
  struct Del {
    void operator()(kokkeops_solver* h) const { kokkeops_solver_destroy(h); }
  };
  std::unique_ptr<kokkeops_solver, Del> handle_;
};

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "Kokkeops' compiled core (use kokkeops.numpy)";
  error_type() = py::reinterpret_borrow<py::object>(py::handle(PyExc_RuntimeError));
  m.def("_set_error_type", [](py::object t) { error_type() = std::move(t); });
  m.def("version", [] { return std::string(kokkeops_version()); });
  m.def("initialize", &ensure_initialized, "initialise Kokkos (done by the first run otherwise)");
  m.def("finalize", [] { kokkeops_finalize(); });
  m.def("is_initialized", [] { return kokkeops_is_initialized() != 0; });
  m.attr("FLOAT32") = static_cast<int>(KOKKEOPS_DTYPE_FLOAT32);
  m.attr("FLOAT64") = static_cast<int>(KOKKEOPS_DTYPE_FLOAT64);
  m.attr("INT64") = static_cast<int>(KOKKEOPS_DTYPE_INT64);
  m.attr("PRECONDITIONER_AUTOMATIC") = static_cast<int>(KOKKEOPS_PRECONDITIONER_AUTOMATIC);
  py::class_<Genred>(m, "Genred")
      .def(py::init<const std::string&, const std::vector<std::string>&, const std::string&, int, int, const std::string&>())
      .def("info", &Genred::info)
      .def("set_segments", &Genred::set_segments)
      .def("run", &Genred::run);
  py::class_<Solver>(m, "Solver")
      .def(py::init<const std::string&, const std::vector<std::string>&, const std::string&, int>())
      .def("info", &Solver::info)
      .def("solve", &Solver::solve);
}
