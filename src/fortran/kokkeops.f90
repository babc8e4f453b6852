! Kokkeops' Fortran module (issue 19, part 2): `use kokkeops`, over the C interface (include/kokkeops/kokkeops.h)
! with iso_c_binding. Genred and KernelSolve from KeOps formula strings compiled into the program
! (kokkeops_add_formulas in CMake), run on Fortran arrays without a copy.
!
! Arrays: KeOps' (n, d) array of points is a Fortran array declared (d, n): point i is the column x(:, i), which
! is contiguous, exactly the memory of a C-order (n, d) array. kokkeops_arg(x) describes it (rows n, cols d);
! a rank-1 array v(n) is a column (n rows, 1 col), kokkeops_param(g) a parameter (Pm) of size(g) values.
! Sections (x(:, 1:n:2), x(1:3, :) of a wider array) are described with their strides, no copy: the actual
! arrays must have the TARGET attribute (or be pointers) so that their addresses stay valid, and they must
! stay alive until the run returns. Never describe an expression (kokkeops_arg(real(x, c_float))) or a section
! with a vector subscript (x(:, idx)): the compiler passes a temporary copy, gone when kokkeops_arg returns;
! assign it to a TARGET array first. Reversed sections (x(:, n:1:-1)) are refused (negative strides).
!
! Handles: a kokkeops_genred or kokkeops_solver owns its C handle; do not assign one handle variable to
! another (both would own it, and destroying both frees it twice).
!
! Every function returns a status (KOKKEOPS_OK = 0 or an error code); the handle's message is
! handle%error(), kokkeops_last_error() the last message of any call.
module kokkeops
  use, intrinsic :: iso_c_binding
  implicit none
  private

  integer(c_int), parameter, public :: KOKKEOPS_OK = 0, KOKKEOPS_ERROR_ARGUMENT = 1, KOKKEOPS_ERROR_VERSION = 2, &
                                       KOKKEOPS_ERROR_RUNTIME = 3, KOKKEOPS_ERROR_UNAVAILABLE = 4
  integer(c_int32_t), parameter, public :: KOKKEOPS_DTYPE_FLOAT32 = 1, KOKKEOPS_DTYPE_FLOAT64 = 2, &
                                           KOKKEOPS_DTYPE_INT64 = 3
  integer(c_int32_t), parameter, public :: KOKKEOPS_MEMORY_HOST = 0, KOKKEOPS_MEMORY_DEVICE = 1
  integer(c_int32_t), parameter, public :: KOKKEOPS_PRECONDITIONER_AUTOMATIC = 0, KOKKEOPS_PRECONDITIONER_NONE = 1, &
                                           KOKKEOPS_PRECONDITIONER_JACOBI = 2, KOKKEOPS_PRECONDITIONER_NYSTROM = 3
  integer(c_int32_t), parameter, public :: KOKKEOPS_STOP_CONVERGED = 0, KOKKEOPS_STOP_MAX_ITERATIONS = 1, &
                                           KOKKEOPS_STOP_BREAKDOWN = 2, KOKKEOPS_STOP_STAGNATION = 3

  ! kokkeops_array of kokkeops/entry.h: element (r, c) at data[r * row_stride + c * col_stride].
  type, bind(c), public :: kokkeops_array
    type(c_ptr) :: data = c_null_ptr
    integer(c_int64_t) :: rows = 0, cols = 0, row_stride = 0, col_stride = 0
    integer(c_int32_t) :: dtype = 0, reserved = 0
  end type

  ! kokkeops_solve_options: get the defaults from kokkeops_solve_options_default().
  type, bind(c), public :: kokkeops_solve_options
    integer(c_int32_t) :: struct_size = 0
    integer(c_int32_t) :: preconditioner = 0
    real(c_double) :: alpha = 1d-10
    real(c_double) :: tolerance = 0
    integer(c_int32_t) :: keops_criterion = 0, max_iterations = 1000, landmarks = 0, initial_guess = 0
    integer(c_int32_t) :: mixed_precision = 0, verbosity = 0
    integer(c_int64_t) :: seed = 0
  end type

  ! kokkeops_solve_report (the per-column residuals go to the optional argument of solve).
  type, bind(c), public :: kokkeops_solve_report
    integer(c_int32_t) :: struct_size = 0
    integer(c_int32_t) :: converged = 0, reason = 0, iterations = 0, kernel_products = 0, restarts = 0
    integer(c_int32_t) :: preconditioner = 0, landmarks = 0
    real(c_double) :: rms_residual = 0, setup_seconds = 0, seconds = 0
    type(c_ptr) :: relative_residual = c_null_ptr
    integer(c_int32_t) :: relative_residual_size = 0, reserved = 0
  end type

  ! A Genred: out = reduction over the reduced axis of formula(args).
  type, public :: kokkeops_genred
    type(c_ptr), private :: h = c_null_ptr
  contains
    procedure :: create => genred_create
    procedure :: set_segments => genred_set_segments
    procedure :: run => genred_run
    procedure :: error => genred_error
    procedure :: destroy => genred_destroy
  end type

  ! A KernelSolve: (alpha Id + K) a = b for the unknown a.
  type, public :: kokkeops_solver
    type(c_ptr), private :: h = c_null_ptr
  contains
    procedure :: create => solver_create
    procedure :: solve => solver_solve
    procedure :: error => solver_error
    procedure :: destroy => solver_destroy
  end type

  public :: kokkeops_initialize, kokkeops_finalize, kokkeops_is_initialized, kokkeops_last_error, kokkeops_version
  public :: kokkeops_solve_options_default, kokkeops_arg, kokkeops_param

  interface kokkeops_arg
    module procedure arg_f64_2, arg_f32_2, arg_i64_2, arg_f64_1, arg_f32_1, arg_i64_1
  end interface
  interface kokkeops_param
    module procedure param_f64, param_f32
  end interface

  interface
    function c_version() bind(c, name="kokkeops_version")
      import :: c_ptr
      type(c_ptr) :: c_version
    end function
    function c_initialize(argc, argv) bind(c, name="kokkeops_initialize")
      import :: c_int, c_ptr
      type(c_ptr), value :: argc, argv
      integer(c_int) :: c_initialize
    end function
    function c_finalize() bind(c, name="kokkeops_finalize")
      import :: c_int
      integer(c_int) :: c_finalize
    end function
    function c_is_initialized() bind(c, name="kokkeops_is_initialized")
      import :: c_int
      integer(c_int) :: c_is_initialized
    end function
    function c_last_error() bind(c, name="kokkeops_last_error")
      import :: c_ptr
      type(c_ptr) :: c_last_error
    end function
    subroutine c_solve_options_init(o) bind(c, name="kokkeops_solve_options_init")
      import :: kokkeops_solve_options
      type(kokkeops_solve_options), intent(out) :: o
    end subroutine
    function c_genred_create(h, formula, aliases, num_aliases, reduction, axis, opt_arg, formula2) &
        bind(c, name="kokkeops_genred_create")
      import :: c_ptr, c_char, c_int
      type(c_ptr), intent(out) :: h
      character(kind=c_char), intent(in) :: formula(*), reduction(*)
      type(c_ptr), value :: aliases, formula2
      integer(c_int), value :: num_aliases, axis, opt_arg
      integer(c_int) :: c_genred_create
    end function
    function c_genred_set_segments(h, segments) bind(c, name="kokkeops_genred_set_segments")
      import :: c_ptr, c_int
      type(c_ptr), value :: h
      integer(c_int), value :: segments
      integer(c_int) :: c_genred_set_segments
    end function
    function c_genred_run(h, outputs, num_outputs, args, num_args, memory) bind(c, name="kokkeops_genred_run")
      import :: c_ptr, c_int, c_int32_t, kokkeops_array
      type(c_ptr), value :: h
      type(kokkeops_array), intent(in) :: outputs(*), args(*)
      integer(c_int), value :: num_outputs, num_args
      integer(c_int32_t), value :: memory
      integer(c_int) :: c_genred_run
    end function
    function c_genred_error(h) bind(c, name="kokkeops_genred_error")
      import :: c_ptr
      type(c_ptr), value :: h
      type(c_ptr) :: c_genred_error
    end function
    subroutine c_genred_destroy(h) bind(c, name="kokkeops_genred_destroy")
      import :: c_ptr
      type(c_ptr), value :: h
    end subroutine
    function c_solver_create(h, formula, aliases, num_aliases, unknown, axis) bind(c, name="kokkeops_solver_create")
      import :: c_ptr, c_char, c_int
      type(c_ptr), intent(out) :: h
      character(kind=c_char), intent(in) :: formula(*), unknown(*)
      type(c_ptr), value :: aliases
      integer(c_int), value :: num_aliases, axis
      integer(c_int) :: c_solver_create
    end function
    function c_solver_solve(h, solution, args, num_args, memory, options, report) bind(c, name="kokkeops_solver_solve")
      import :: c_ptr, c_int, c_int32_t, kokkeops_array, kokkeops_solve_options, kokkeops_solve_report
      type(c_ptr), value :: h
      type(kokkeops_array), intent(in) :: solution, args(*)
      integer(c_int), value :: num_args
      integer(c_int32_t), value :: memory
      type(kokkeops_solve_options), intent(in) :: options
      type(kokkeops_solve_report), intent(inout) :: report
      integer(c_int) :: c_solver_solve
    end function
    function c_solver_error(h) bind(c, name="kokkeops_solver_error")
      import :: c_ptr
      type(c_ptr), value :: h
      type(c_ptr) :: c_solver_error
    end function
    subroutine c_solver_destroy(h) bind(c, name="kokkeops_solver_destroy")
      import :: c_ptr
      type(c_ptr), value :: h
    end subroutine
    function c_strlen(s) bind(c, name="strlen")
      import :: c_ptr, c_size_t
      type(c_ptr), value :: s
      integer(c_size_t) :: c_strlen
    end function
  end interface

  ! NUL-terminated copies of a list of strings, and the pointers to them (what `const char* const*` takes).
  type :: c_string_list
    character(kind=c_char), allocatable :: text(:)
    type(c_ptr), allocatable :: ptrs(:)
  end type

contains

  ! ---------------------------------------------------------------- helpers

  function f_string(p) result(s)
    type(c_ptr), intent(in) :: p
    character(len=:), allocatable :: s
    character(kind=c_char), pointer :: chars(:)
    integer :: n, k
    if (.not. c_associated(p)) then
      s = ''
      return
    end if
    n = int(c_strlen(p))
    call c_f_pointer(p, chars, [n])
    allocate (character(len=n) :: s)
    do k = 1, n
      s(k:k) = chars(k)
    end do
  end function

  function c_str(s) result(c)
    character(len=*), intent(in) :: s
    character(kind=c_char, len=:), allocatable :: c
    c = trim(s)//c_null_char
  end function

  subroutine make_list(list, strings)
    type(c_string_list), target, intent(inout) :: list
    character(len=*), intent(in) :: strings(:)
    integer :: k, j, pos, total
    total = 0
    do k = 1, size(strings)
      total = total + len_trim(strings(k)) + 1
    end do
    allocate (list%text(max(total, 1)), list%ptrs(max(size(strings), 1)))
    pos = 1
    do k = 1, size(strings)
      list%ptrs(k) = c_loc(list%text(pos))
      do j = 1, len_trim(strings(k))
        list%text(pos) = strings(k)(j:j)
        pos = pos + 1
      end do
      list%text(pos) = c_null_char
      pos = pos + 1
    end do
  end subroutine

  ! The address of element (k) minus the address of element (1), in elements: a stride of an assumed-shape array.
  integer(c_int64_t) function diff_elems(a, b, bytes)
    type(c_ptr), intent(in) :: a, b
    integer, intent(in) :: bytes
    integer(c_intptr_t) :: ia, ib
    ia = transfer(a, ia)
    ib = transfer(b, ib)
    diff_elems = int((ib - ia) / bytes, c_int64_t)
  end function

  ! ---------------------------------------------------------------- library

  function kokkeops_version() result(v)
    character(len=:), allocatable :: v
    v = f_string(c_version())
  end function

  ! Initialises Kokkos (Kokkos::initialize, its environment variables apply) unless it is initialised already.
  integer function kokkeops_initialize()
    kokkeops_initialize = c_initialize(c_null_ptr, c_null_ptr)
  end function

  ! Finalises Kokkos if kokkeops_initialize initialised it: after the handles' last calls.
  integer function kokkeops_finalize()
    kokkeops_finalize = c_finalize()
  end function

  logical function kokkeops_is_initialized()
    kokkeops_is_initialized = c_is_initialized() /= 0
  end function

  function kokkeops_last_error() result(s)
    character(len=:), allocatable :: s
    s = f_string(c_last_error())
  end function

  ! The default solve options (KeOps' alpha 1e-10, automatic preconditioner, the data type's tolerance).
  function kokkeops_solve_options_default() result(o)
    type(kokkeops_solve_options) :: o
    call c_solve_options_init(o)
  end function

  ! ---------------------------------------------------------------- array descriptors

  ! The array dummies of the descriptor functions below have TARGET and no INTENT: an INTENT(IN) dummy lets an
  ! optimising compiler assume that the array neither escapes nor changes afterwards (gfortran 12 at -O3 kept
  ! an output's old values in registers across the run that wrote it).
  !
  ! The descriptor of a rank-2 array a(n1, n2) as KeOps' (n2, n1), without data (an empty array's).
  function empty2(dtype, n1, n2) result(d)
    integer(c_int32_t), intent(in) :: dtype
    integer(c_int64_t), intent(in) :: n1, n2
    type(kokkeops_array) :: d
    d%dtype = dtype
    d%rows = n2
    d%cols = n1
    d%col_stride = 1
    d%row_stride = n1
  end function

  ! Its data and strides, from the addresses of a(1,1), a(2,1), a(1,2) (equal where that extent is 1):
  ! sections keep their strides.
  subroutine locate2(d, bytes, p11, p21, p12)
    type(kokkeops_array), intent(inout) :: d
    integer, intent(in) :: bytes
    type(c_ptr), intent(in) :: p11, p21, p12
    d%data = p11
    if (d%cols > 1) d%col_stride = diff_elems(p11, p21, bytes)
    if (d%rows > 1) d%row_stride = diff_elems(p11, p12, bytes)
  end subroutine

  ! A (d, n) array as KeOps' (n, d) array: n rows of d values.
  function arg_f64_2(a) result(d)
    real(c_double), target :: a(:, :)
    type(kokkeops_array) :: d
    d = empty2(KOKKEOPS_DTYPE_FLOAT64, size(a, 1, c_int64_t), size(a, 2, c_int64_t))
    if (size(a) > 0) call locate2(d, 8, c_loc(a(1, 1)), c_loc(a(min(2, size(a, 1)), 1)), c_loc(a(1, min(2, size(a, 2)))))
  end function
  function arg_f32_2(a) result(d)
    real(c_float), target :: a(:, :)
    type(kokkeops_array) :: d
    d = empty2(KOKKEOPS_DTYPE_FLOAT32, size(a, 1, c_int64_t), size(a, 2, c_int64_t))
    if (size(a) > 0) call locate2(d, 4, c_loc(a(1, 1)), c_loc(a(min(2, size(a, 1)), 1)), c_loc(a(1, min(2, size(a, 2)))))
  end function
  function arg_i64_2(a) result(d)
    integer(c_int64_t), target :: a(:, :)
    type(kokkeops_array) :: d
    d = empty2(KOKKEOPS_DTYPE_INT64, size(a, 1, c_int64_t), size(a, 2, c_int64_t))
    if (size(a) > 0) call locate2(d, 8, c_loc(a(1, 1)), c_loc(a(min(2, size(a, 1)), 1)), c_loc(a(1, min(2, size(a, 2)))))
  end function

  ! A vector v(n) as a column: n rows of 1 value (a (1, n) array).
  function arg_f64_1(a) result(d)
    real(c_double), target :: a(:)
    type(kokkeops_array) :: d
    d = empty2(KOKKEOPS_DTYPE_FLOAT64, 1_c_int64_t, size(a, 1, c_int64_t))
    if (size(a) > 0) call locate2(d, 8, c_loc(a(1)), c_loc(a(1)), c_loc(a(min(2, size(a)))))
  end function
  function arg_f32_1(a) result(d)
    real(c_float), target :: a(:)
    type(kokkeops_array) :: d
    d = empty2(KOKKEOPS_DTYPE_FLOAT32, 1_c_int64_t, size(a, 1, c_int64_t))
    if (size(a) > 0) call locate2(d, 4, c_loc(a(1)), c_loc(a(1)), c_loc(a(min(2, size(a)))))
  end function
  function arg_i64_1(a) result(d)
    integer(c_int64_t), target :: a(:)
    type(kokkeops_array) :: d
    d = empty2(KOKKEOPS_DTYPE_INT64, 1_c_int64_t, size(a, 1, c_int64_t))
    if (size(a) > 0) call locate2(d, 8, c_loc(a(1)), c_loc(a(1)), c_loc(a(min(2, size(a)))))
  end function

  ! A parameter (Pm) of size(g) values: 1 row (a (size(g), 1) array), row stride 0.
  function param_f64(a) result(d)
    real(c_double), target :: a(:)
    type(kokkeops_array) :: d
    d = empty2(KOKKEOPS_DTYPE_FLOAT64, size(a, 1, c_int64_t), 1_c_int64_t)
    if (size(a) > 0) call locate2(d, 8, c_loc(a(1)), c_loc(a(min(2, size(a)))), c_loc(a(1)))
    d%row_stride = 0
  end function
  function param_f32(a) result(d)
    real(c_float), target :: a(:)
    type(kokkeops_array) :: d
    d = empty2(KOKKEOPS_DTYPE_FLOAT32, size(a, 1, c_int64_t), 1_c_int64_t)
    if (size(a) > 0) call locate2(d, 4, c_loc(a(1)), c_loc(a(min(2, size(a)))), c_loc(a(1)))
    d%row_stride = 0
  end function

  ! ---------------------------------------------------------------- Genred

  ! KeOps' Genred(formula, aliases, reduction_op, axis, opt_arg, formula2): axis 1 reduces over j, 0 over i.
  integer function genred_create(self, formula, aliases, reduction, axis, opt_arg, formula2)
    class(kokkeops_genred), intent(inout) :: self
    character(len=*), intent(in) :: formula, reduction
    character(len=*), intent(in) :: aliases(:)
    integer, intent(in) :: axis
    integer, intent(in), optional :: opt_arg
    character(len=*), intent(in), optional :: formula2
    type(c_string_list), target :: list, f2
    type(c_ptr) :: f2p
    integer(c_int) :: k
    call genred_destroy(self)
    call make_list(list, aliases)
    k = 0
    if (present(opt_arg)) k = int(opt_arg, c_int)
    f2p = c_null_ptr
    if (present(formula2)) then
      call make_list(f2, [formula2])
      f2p = f2%ptrs(1)
    end if
    genred_create = c_genred_create(self%h, c_str(formula), c_loc(list%ptrs), int(size(aliases), c_int), &
                                    c_str(reduction), int(axis, c_int), k, f2p)
  end function

  ! The 1D/2D scheme: 0 automatic (default), 1 the 1D scheme, k > 1 k segments.
  integer function genred_set_segments(self, segments)
    class(kokkeops_genred), intent(inout) :: self
    integer, intent(in) :: segments
    genred_set_segments = c_genred_set_segments(self%h, int(segments, c_int))
  end function

  ! outputs: [kokkeops_arg(out)] (values, indices, or both); args: one descriptor per argument position.
  integer function genred_run(self, outputs, args, memory)
    class(kokkeops_genred), intent(inout) :: self
    type(kokkeops_array), intent(in) :: outputs(:), args(:)
    integer(c_int32_t), intent(in), optional :: memory
    integer(c_int32_t) :: m
    m = KOKKEOPS_MEMORY_HOST
    if (present(memory)) m = memory
    genred_run = c_genred_run(self%h, outputs, int(size(outputs), c_int), args, int(size(args), c_int), m)
  end function

  function genred_error(self) result(s)
    class(kokkeops_genred), intent(in) :: self
    character(len=:), allocatable :: s
    s = f_string(c_genred_error(self%h))
  end function

  subroutine genred_destroy(self)
    class(kokkeops_genred), intent(inout) :: self
    if (c_associated(self%h)) call c_genred_destroy(self%h)
    self%h = c_null_ptr
  end subroutine

  ! ---------------------------------------------------------------- KernelSolve

  ! KeOps' KernelSolve(formula, aliases, varinvalias, axis).
  integer function solver_create(self, formula, aliases, unknown, axis)
    class(kokkeops_solver), intent(inout) :: self
    character(len=*), intent(in) :: formula, unknown
    character(len=*), intent(in) :: aliases(:)
    integer, intent(in) :: axis
    type(c_string_list), target :: list
    call solver_destroy(self)
    call make_list(list, aliases)
    solver_create = c_solver_create(self%h, c_str(formula), c_loc(list%ptrs), int(size(aliases), c_int), &
                                    c_str(unknown), int(axis, c_int))
  end function

  ! solution receives a (and holds the initial guess if options%initial_guess /= 0); args: one descriptor per
  ! argument position, the unknown's holding b. relative_residual: per column ||b - A a|| / ||b||.
  integer function solver_solve(self, solution, args, options, report, relative_residual, memory)
    class(kokkeops_solver), intent(inout) :: self
    type(kokkeops_array), intent(in) :: solution
    type(kokkeops_array), intent(in) :: args(:)
    type(kokkeops_solve_options), intent(in), optional :: options
    type(kokkeops_solve_report), intent(out), optional :: report
    real(c_double), intent(inout), target, contiguous, optional :: relative_residual(:)
    integer(c_int32_t), intent(in), optional :: memory
    type(kokkeops_solve_options) :: o
    type(kokkeops_solve_report) :: r
    integer(c_int32_t) :: m
    if (present(options)) then
      o = options
    else
      o = kokkeops_solve_options_default()
    end if
    if (o%struct_size == 0) o%struct_size = int(c_sizeof(o), c_int32_t)  ! a plain declaration: this version's
    r%struct_size = int(c_sizeof(r), c_int32_t)
    if (present(relative_residual)) then
      if (size(relative_residual) > 0) then
        r%relative_residual = c_loc(relative_residual(1))
        r%relative_residual_size = int(size(relative_residual), c_int32_t)
      end if
    end if
    m = KOKKEOPS_MEMORY_HOST
    if (present(memory)) m = memory
    solver_solve = c_solver_solve(self%h, solution, args, int(size(args), c_int), m, o, r)
    r%relative_residual = c_null_ptr
    if (present(report)) report = r
  end function

  function solver_error(self) result(s)
    class(kokkeops_solver), intent(in) :: self
    character(len=:), allocatable :: s
    s = f_string(c_solver_error(self%h))
  end function

  subroutine solver_destroy(self)
    class(kokkeops_solver), intent(inout) :: self
    if (c_associated(self%h)) call c_solver_destroy(self%h)
    self%h = c_null_ptr
  end subroutine

end module kokkeops
