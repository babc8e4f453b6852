// kokkeops: kernel sums and kernel solves on .npy / .csv files, and the seed demo (see app.cpp).
#include "app.hpp"

int main(int argc, char** argv) { return kokkeops::cli::run(argc, argv); }
