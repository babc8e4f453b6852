! KeOps' KernelSolve seed example in Fortran (`use kokkeops`): x = 10 000 random 3-D points, b = 2 random
! right-hand sides, K = Exp(-Norm2(x - y)), alpha = 0.1; solve (alpha Id + K) a = b in float32 and in float64,
! and print KeOps' error metric sum |alpha a + K a - b| / N (K a in float64). The formulas are compiled in by
! kokkeops_add_formulas (examples/CMakeLists.txt, set seed_fortran).
!
!   kokkeops_seed_fortran [N]       (exit status 1 if an error metric is above 1e-3 (float32) or 1e-5 (float64))
program seed_kernelsolve
  use, intrinsic :: iso_c_binding
  use kokkeops
  implicit none

  interface
    integer(c_int) function kokkeops_register_seed_fortran() bind(c, name="kokkeops_register_seed_fortran")
      import :: c_int
    end function
  end interface

  character(len=12), parameter :: aliases(3) = [character(len=12) :: 'x = Vi(3)', 'y = Vj(3)', 'a = Vj(2)']
  character(len=*), parameter :: formula = 'Exp(-Norm2(x - y)) * a'
  real(c_double), parameter :: alpha = 0.1d0
  real(c_double), allocatable, target :: x(:, :), b(:, :), a(:, :), ka(:, :)
  real(c_float), allocatable, target :: xf(:, :), bf(:, :), af(:, :)
  type(kokkeops_solver) :: S
  type(kokkeops_genred) :: K
  type(kokkeops_solve_options) :: opt
  type(kokkeops_solve_report) :: rep
  real(c_double) :: err32, err64
  integer :: n, status, seed_size
  integer, allocatable :: seed(:)
  character(len=32) :: arg

  n = 10000
  if (command_argument_count() >= 1) then
    call get_command_argument(1, arg)
    read (arg, *) n
  end if
  allocate (x(3, n), b(2, n), a(2, n), ka(2, n), xf(3, n), bf(2, n), af(2, n))
  call random_seed(size=seed_size)
  seed = [(1234 + status, status=1, seed_size)]
  call random_seed(put=seed)
  call random_normal(x)
  call random_normal(b)
  xf = real(x, c_float)
  bf = real(b, c_float)

  call ok(kokkeops_initialize(), 'initialize')
  call ok(kokkeops_register_seed_fortran(), 'register')
  call ok(S%create(formula, aliases, 'a', 1), 'KernelSolve')
  call ok(K%create(formula, aliases, 'Sum', 1), 'Genred')
  opt = kokkeops_solve_options_default()
  opt%alpha = alpha
  print '(a, i0, a, i0, a)', 'KernelSolve seed (Fortran): x (', n, ', 3), b (', n, ', 2), alpha = 0.1'

  call ok(S%solve(kokkeops_arg(af), [kokkeops_arg(xf), kokkeops_arg(xf), kokkeops_arg(bf)], opt, rep), 'solve float32')
  a = real(af, c_double)
  err32 = metric()
  print '(a, i0, a, f0.3, a, es9.2)', '  float32: ', rep%iterations, ' iterations, ', rep%seconds, ' s, error ', err32

  call ok(S%solve(kokkeops_arg(a), [kokkeops_arg(x), kokkeops_arg(x), kokkeops_arg(b)], opt, rep), 'solve float64')
  err64 = metric()
  print '(a, i0, a, f0.3, a, es9.2)', '  float64: ', rep%iterations, ' iterations, ', rep%seconds, ' s, error ', err64

  call S%destroy()
  call K%destroy()
  call ok(kokkeops_finalize(), 'finalize')
  if (err32 > 1d-3 .or. err64 > 1d-5) error stop 1

contains

  subroutine ok(rc, what)
    integer, intent(in) :: rc
    character(len=*), intent(in) :: what
    if (rc /= KOKKEOPS_OK) then
      print '(a)', what//' failed: '//kokkeops_last_error()
      error stop 2
    end if
  end subroutine

  ! KeOps' metric: sum |alpha a + K a - b| / N, K a by the float64 Genred.
  real(c_double) function metric()
    call ok(K%run([kokkeops_arg(ka)], [kokkeops_arg(x), kokkeops_arg(x), kokkeops_arg(a)]), 'K a')
    metric = sum(abs(alpha * a + ka - b)) / n
  end function

  ! Standard normal values (Box-Muller).
  subroutine random_normal(v)
    real(c_double), intent(out) :: v(:, :)
    real(c_double), allocatable :: u1(:, :), u2(:, :)
    allocate (u1(size(v, 1), size(v, 2)), u2(size(v, 1), size(v, 2)))
    call random_number(u1)
    call random_number(u2)
    v = sqrt(-2 * log(1 - u1)) * cos(2 * acos(-1d0) * u2)
  end subroutine

end program
