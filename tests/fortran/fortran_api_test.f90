! The Fortran module (src/fortran/kokkeops.f90) from Fortran: Genred and KernelSolve on formula strings compiled in
! by kokkeops_add_formulas (set "f_api", tests/CMakeLists.txt), against a Fortran oracle: (d, n) arrays, an array
! section with strides, float32 and float64, ArgKMin indices, the seed's solve; error statuses and messages.
program fortran_api_test
  use, intrinsic :: iso_c_binding
  use kokkeops
  implicit none

  interface
    integer(c_int) function kokkeops_register_f_api() bind(c, name="kokkeops_register_f_api")
      import :: c_int
    end function
  end interface

  integer, parameter :: n = 157, m = 233
  integer :: checks = 0, failures = 0

  call check(kokkeops_register_f_api() == KOKKEOPS_OK, 'register')
  call check(kokkeops_initialize() == KOKKEOPS_OK, 'initialize: '//kokkeops_last_error())
  call check(kokkeops_is_initialized(), 'initialized')
  call check(len(kokkeops_version()) > 0, 'version')

  call test_gaussian()
  call test_argkmin()
  call test_solve()
  call test_errors()

  call check(kokkeops_finalize() == KOKKEOPS_OK, 'finalize')
  print '(a, i0, a, i0, a)', 'fortran_api: ', checks, ' checks, ', failures, ' failed'
  if (failures /= 0) error stop 1

contains

  subroutine check(cond, what)
    logical, intent(in) :: cond
    character(len=*), intent(in) :: what
    checks = checks + 1
    if (.not. cond) then
      failures = failures + 1
      print '(a)', 'check failed: '//what
    end if
  end subroutine

  logical function has(haystack, needle)
    character(len=*), intent(in) :: haystack, needle
    has = index(haystack, needle) > 0
  end function

  ! out(:, i) = sum_j exp(-g |x(:, i) - y(:, j)|^2) b(:, j)
  subroutine gauss_oracle(x, y, b, g, out)
    real(c_double), intent(in) :: x(:, :), y(:, :), b(:, :), g
    real(c_double), intent(out) :: out(:, :)
    integer :: i, j
    out = 0
    do i = 1, size(x, 2)
      do j = 1, size(y, 2)
        out(:, i) = out(:, i) + exp(-g * sum((x(:, i) - y(:, j))**2)) * b(:, j)
      end do
    end do
  end subroutine

  subroutine test_gaussian()
    real(c_double), target :: x(3, n), y(3, m), bw(4, m), g(1), out(2, n), ref(2, n)
    real(c_float), target :: xf(3, n), yf(3, m), bf(2, m), gf(1), outf(2, n)
    type(kokkeops_genred) :: K
    character(len=16) :: aliases(4) = [character(len=16) :: 'x = Vi(3)', 'y = Vj(3)', 'b = Vj(2)', 'g = Pm(1)']
    integer :: rc
    call random_number(x)
    call random_number(y)
    call random_number(bw)
    g = 0.7d0
    call gauss_oracle(x, y, bw(2:3, :), g(1), ref)

    rc = K%create('Exp(-g * SqDist(x, y)) * b', aliases, 'Sum', 1)
    call check(rc == KOKKEOPS_OK, 'create: '//K%error())
    ! b is rows 2:3 of a (4, m) array: a section, passed with its strides.
    rc = K%run([kokkeops_arg(out)], [kokkeops_arg(x), kokkeops_arg(y), kokkeops_arg(bw(2:3, :)), kokkeops_param(g)])
    call check(rc == KOKKEOPS_OK, 'run float64: '//K%error())
    call check(maxval(abs(out - ref)) / maxval(abs(ref)) < 1d-12, 'float64 result')

    call check(K%set_segments(4) == KOKKEOPS_OK, 'segments')
    out = 0
    rc = K%run([kokkeops_arg(out)], [kokkeops_arg(x), kokkeops_arg(y), kokkeops_arg(bw(2:3, :)), kokkeops_param(g)])
    call check(rc == KOKKEOPS_OK .and. maxval(abs(out - ref)) / maxval(abs(ref)) < 1d-12, '2D scheme: '//K%error())

    xf = real(x, c_float)
    yf = real(y, c_float)
    bf = real(bw(2:3, :), c_float)
    gf = 0.7
    rc = K%run([kokkeops_arg(outf)], [kokkeops_arg(xf), kokkeops_arg(yf), kokkeops_arg(bf), kokkeops_param(gf)])
    call check(rc == KOKKEOPS_OK, 'run float32: '//K%error())
    call check(maxval(abs(real(outf, c_double) - ref)) / maxval(abs(ref)) < 2d-5, 'float32 result')

    ! Three arguments for four positions; a j-count that disagrees between y and b.
    rc = K%run([kokkeops_arg(out)], [kokkeops_arg(x), kokkeops_arg(y), kokkeops_arg(bw(2:3, :))])
    call check(rc == KOKKEOPS_ERROR_ARGUMENT .and. has(K%error(), '3 argument arrays given, 4 expected'), &
               'argument count: '//K%error())
    call check(kokkeops_last_error() == K%error(), 'last error')
    rc = K%run([kokkeops_arg(out)], [kokkeops_arg(x), kokkeops_arg(y(:, 1:m - 1)), kokkeops_arg(bw(2:3, :)), &
               kokkeops_param(g)])
    call check(rc == KOKKEOPS_ERROR_ARGUMENT .and. has(K%error(), 'rows'), 'rows: '//K%error())
    call K%destroy()
  end subroutine

  subroutine test_argkmin()
    integer, parameter :: kk = 3
    real(c_double), target :: x(2, n), y(2, m)
    integer(c_int64_t), target :: idx(kk, n)
    type(kokkeops_genred) :: K
    integer :: i, j, wrong, rc, best(kk)
    real(c_double) :: d(m)
    call random_number(x)
    call random_number(y)
    rc = K%create('SqDist(x, y)', [character(len=12) :: 'x = Vi(2)', 'y = Vj(2)'], 'ArgKMin', 1, opt_arg=kk)
    call check(rc == KOKKEOPS_OK, 'create ArgKMin: '//K%error())
    rc = K%run([kokkeops_arg(idx)], [kokkeops_arg(x), kokkeops_arg(y)])
    call check(rc == KOKKEOPS_OK, 'run ArgKMin: '//K%error())
    wrong = 0
    do i = 1, n
      do j = 1, m
        d(j) = sum((x(:, i) - y(:, j))**2)
      end do
      do j = 1, kk  ! the kk smallest, ties to the lowest index (0-based, as KeOps)
        best(j) = minloc(d, 1) - 1
        d(best(j) + 1) = huge(1d0)
      end do
      if (any(idx(:, i) /= best)) wrong = wrong + 1
    end do
    call check(wrong == 0, 'ArgKMin indices')
    call K%destroy()
  end subroutine

  subroutine test_solve()
    integer, parameter :: ns = 300
    real(c_double), target :: x(3, ns), b(2, ns), a(2, ns), r(2, ns), rel(2)
    type(kokkeops_solver) :: S
    type(kokkeops_solve_options) :: opt
    type(kokkeops_solve_report) :: rep
    integer :: i, j, rc
    call random_number(x)
    x = 4 * x
    call random_number(b)
    b = b - 0.5d0
    rc = S%create('Exp(-Norm2(x - y)) * a', [character(len=12) :: 'x = Vi(3)', 'y = Vj(3)', 'a = Vj(2)'], 'a', 1)
    call check(rc == KOKKEOPS_OK, 'create solver: '//S%error())
    opt = kokkeops_solve_options_default()
    opt%alpha = 0.1d0
    opt%tolerance = 1d-10
    rel = -1
    rc = S%solve(kokkeops_arg(a), [kokkeops_arg(x), kokkeops_arg(x), kokkeops_arg(b)], opt, rep, rel)
    call check(rc == KOKKEOPS_OK, 'solve: '//S%error())
    call check(rep%converged /= 0 .and. rep%iterations > 0 .and. rep%reason == KOKKEOPS_STOP_CONVERGED, 'report')
    call check(all(rel >= 0 .and. rel < 1d-9), 'relative residuals')
    do i = 1, ns
      r(:, i) = 0.1d0 * a(:, i) - b(:, i)
      do j = 1, ns
        r(:, i) = r(:, i) + exp(-sqrt(sum((x(:, i) - x(:, j))**2))) * a(:, j)
      end do
    end do
    call check(maxval(abs(r)) / maxval(abs(b)) < 1d-8, 'oracle residual')
    ! Options from a plain declaration (struct_size left 0: this version's is filled in), residuals into a
    ! strided section (copied in and out: the C side writes contiguous values).
    block
      type(kokkeops_solve_options) :: plain
      real(c_double), target :: res4(4)
      plain%alpha = 0.1d0
      plain%tolerance = 1d-10
      res4 = -1
      rc = S%solve(kokkeops_arg(a), [kokkeops_arg(x), kokkeops_arg(x), kokkeops_arg(b)], plain, &
                   relative_residual=res4(1:4:2))
      call check(rc == KOKKEOPS_OK, 'plain options: '//S%error())
      call check(all(res4([1, 3]) >= 0 .and. res4([1, 3]) < 1d-9) .and. all(res4([2, 4]) == -1), 'strided residuals')
    end block
    ! float32 is not compiled in for this solve: UNAVAILABLE, saying what to do.
    block
      real(c_float), target :: xf(3, ns), bf(2, ns), af(2, ns)
      xf = real(x, c_float)
      bf = real(b, c_float)
      rc = S%solve(kokkeops_arg(af), [kokkeops_arg(xf), kokkeops_arg(xf), kokkeops_arg(bf)])
      call check(rc == KOKKEOPS_ERROR_UNAVAILABLE .and. has(S%error(), 'kokkeops_add_formulas'), 'float32: '//S%error())
    end block
    call S%destroy()
  end subroutine

  subroutine test_errors()
    type(kokkeops_genred) :: K
    type(kokkeops_solver) :: S
    integer :: rc
    rc = K%create('Exp(-SqDistt(x, y))', [character(len=12) :: 'x = Vi(3)', 'y = Vj(3)'], 'Sum', 1)
    call check(rc == KOKKEOPS_ERROR_ARGUMENT .and. has(K%error(), 'SqDistt') .and. has(K%error(), '^'), &
               'bad formula: '//K%error())
    call K%destroy()
    rc = K%create('SqDist(x, y)', [character(len=12) :: 'x = Vi(3)', 'y = Vj(3)'], 'Summ', 1)
    call check(rc == KOKKEOPS_ERROR_ARGUMENT .and. has(K%error(), 'Summ'), 'bad reduction: '//K%error())
    call K%destroy()
    rc = S%create('Exp(-Norm2(x - y)) * a', [character(len=12) :: 'x = Vi(3)', 'y = Vj(3)', 'a = Vj(2)'], 'q', 1)
    call check(rc == KOKKEOPS_ERROR_ARGUMENT .and. has(S%error(), 'q'), 'bad unknown: '//S%error())
    call S%destroy()
    call S%destroy()  ! twice: nothing
  end subroutine

end program
