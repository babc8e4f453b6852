! The installed package's Fortran module (Kokkeops::fortran, `use kokkeops`), with a formula compiled in.
program consumer_fortran
  use, intrinsic :: iso_c_binding
  use kokkeops
  implicit none
  interface
    integer(c_int) function kokkeops_register_consumer_f() bind(c, name="kokkeops_register_consumer_f")
      import :: c_int
    end function
  end interface
  integer, parameter :: n = 5, m = 7
  real(c_double), target :: x(2, n), y(2, m), b(m), out(n), ref(n)
  type(kokkeops_genred) :: K
  integer :: i, j
  x = reshape([(0.1d0 * i, i = 0, 2 * n - 1)], [2, n])
  y = reshape([(0.05d0 * i, i = 0, 2 * m - 1)], [2, m])
  b = [(1d0 + i, i = 0, m - 1)]
  if (kokkeops_initialize() /= KOKKEOPS_OK .or. kokkeops_register_consumer_f() /= KOKKEOPS_OK) error stop 1
  if (K%create('Exp(-SqDist(x, y)) * b', [character(len=12) :: 'x = Vi(2)', 'y = Vj(2)', 'b = Vj(1)'], 'Sum', 1) &
      /= KOKKEOPS_OK) error stop 2
  if (K%run([kokkeops_arg(out)], [kokkeops_arg(x), kokkeops_arg(y), kokkeops_arg(b)]) /= KOKKEOPS_OK) then
    print '(a)', K%error()
    error stop 3
  end if
  call K%destroy()
  do i = 1, n
    ref(i) = 0
    do j = 1, m
      ref(i) = ref(i) + exp(-sum((x(:, i) - y(:, j))**2)) * b(j)
    end do
  end do
  if (kokkeops_finalize() /= KOKKEOPS_OK) error stop 4
  print '(a, es9.2)', 'Fortran consumer: Gaussian sum, max relative error ', maxval(abs(out - ref) / abs(ref))
  if (maxval(abs(out - ref) / abs(ref)) > 1d-12) error stop 5
end program
