# The seed example of pykeops.numpy.KernelSolve (../shared/reference/seed-keops-numpy-kernelsolve.txt), unchanged
# but for the import line. Run: PYTHONPATH=build/python python3 examples/seed_numpy.py
import numpy as np
from kokkeops.numpy import Genred, KernelSolve

formula = "Exp(-Norm2(x - y)) * a"  # Exponential kernel
aliases = ["x = Vi(3)",  # 1st input: target points, one dim-3 vector per line
           "y = Vj(3)",  # 2nd input: source points, one dim-3 vector per column
           "a = Vj(2)"]  # 3rd input: source signal, one dim-2 vector per column
K = Genred(formula, aliases, axis=1)  # Reduce formula along the lines of the kernel matrix
K_inv = KernelSolve(formula, aliases, "a",  # The formula above is linear wrt. 'a'
                    axis=1)
# Generate some random data:
x = np.random.randn(10000, 3)  # Sampling locations
b = np.random.randn(10000, 2)  # Random observed signal
a = K_inv(x, x, b, alpha=.1)  # Linear solve: a_i = (.1*Id + K(x,x)) \ b
print(a.shape)
# Mean squared error:
print((np.sum(np.sqrt((.1 * a + K(x, x, a) - b)**2)) / len(x)).item())
