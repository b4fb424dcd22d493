# Conversions between R values and what the Python side wants: integers where Python
# wants an int, NumPy arrays for R arrays and back, pandas for data frames.
#
# R arrays travel as raw bytes (NumPy's frombuffer / tobytes, Fortran order) rather than
# through reticulate's NumPy converter: reticulate before 1.36 can't load NumPy 2's C API,
# and then fails on every array, in both directions. The byte path works with any
# reticulate and keeps R's indexing: x[i, j, k] in R is a[i-1, j-1, k-1] in NumPy.

.np <- function() reticulate::import("numpy", convert = FALSE)

.builtins <- function() reticulate::import_builtins(convert = FALSE)

.as_int <- function(x, name) {
  if (is.null(x)) return(NULL)
  if (inherits(x, "python.builtin.object")) return(x)
  if (!is.numeric(x) || anyNA(x) || any(x != round(x))) {
    stop("`", name, "` must be a whole number. Received: ", name, " = ",
         paste(deparse(x), collapse = " "), call. = FALSE)
  }
  as.integer(x)
}

.as_int_tuple <- function(x, name) do.call(reticulate::tuple, as.list(.as_int(x, name)))

.as_py_list <- function(x) if (is.null(x)) NULL else as.list(x)

.is_python <- function(x) inherits(x, "python.builtin.object")

.floatx <- function() {
  keras <- reticulate::import("keras", convert = TRUE)
  keras$config$floatx()
}

# An R vector, matrix or array as a NumPy array of the same shape. Doubles become Keras'
# float type (float32) as R keras 2.x's keras_array() did, integers and logicals int32.
.as_numpy <- function(x, dtype = NULL) {
  if (is.null(x) || .is_python(x)) return(x)
  if (is.data.frame(x)) x <- as.matrix(x)
  if (is.factor(x)) x <- as.integer(x) - 1L
  dims <- if (is.null(dim(x))) length(x) else dim(x)
  if (is.logical(x) || is.integer(x)) {
    bytes <- writeBin(as.integer(as.vector(x)), raw(), size = 4L, endian = "little")
    source <- "<i4"
    dtype <- dtype %||% "int32"
  } else if (is.double(x)) {
    bytes <- writeBin(as.vector(x), raw(), size = 8L, endian = "little")
    source <- "<f8"
    dtype <- dtype %||% .floatx()
  } else {
    stop("expected a numeric or logical vector, matrix or array. Received: an object of ",
         "class ", paste(class(x), collapse = "/"), call. = FALSE)
  }
  np <- .np()
  flat <- np$frombuffer(reticulate::r_to_py(bytes), dtype = source)
  shaped <- flat$reshape(do.call(reticulate::tuple, as.list(as.integer(dims))), order = "F")
  np$ascontiguousarray(shaped, dtype = dtype)
}

# A NumPy array (or anything np.asarray takes) as an R array: integers and booleans that
# fit in 32 bits as R integers (logicals for booleans), everything else as doubles.
.as_r_array <- function(x) {
  np <- .np()
  array <- np$asarray(x)
  kind <- reticulate::py_to_r(array$dtype$kind)
  itemsize <- reticulate::py_to_r(array$dtype$itemsize)
  integer <- kind == "b" || (kind == "i" && itemsize <= 4) || (kind == "u" && itemsize <= 2)
  target <- if (integer) "<i4" else "<f8"
  bytes <- reticulate::py_to_r(.builtins()$bytearray(array$astype(target)$tobytes(order = "F")))
  values <- if (integer) {
    readBin(bytes, "integer", n = length(bytes) %/% 4L, size = 4L, endian = "little")
  } else {
    readBin(bytes, "double", n = length(bytes) %/% 8L, size = 8L, endian = "little")
  }
  if (kind == "b") values <- as.logical(values)
  shape <- as.integer(unlist(reticulate::py_to_r(array$shape)))
  if (length(shape) == 0) return(values)
  array(values, dim = shape)
}

# What a generator or Keras returns (an array, a tuple or list of arrays, a dict of
# arrays) with every NumPy array made an R array.
.as_r_value <- function(x) {
  if (!.is_python(x)) return(x)
  builtins <- .builtins()
  if (reticulate::py_to_r(builtins$isinstance(x, .np()$ndarray))) return(.as_r_array(x))
  if (reticulate::py_to_r(builtins$isinstance(x, reticulate::tuple(builtins$tuple,
                                                                   builtins$list)))) {
    n <- reticulate::py_to_r(builtins$len(x))
    return(lapply(seq_len(n) - 1L, function(i) .as_r_value(x$`__getitem__`(i))))
  }
  if (reticulate::py_to_r(builtins$isinstance(x, builtins$dict))) {
    keys <- reticulate::py_to_r(builtins$list(x$keys()))
    values <- lapply(keys, function(k) .as_r_value(x$`__getitem__`(k)))
    return(stats::setNames(values, unlist(keys)))
  }
  if (reticulate::py_has_attr(x, "numpy")) return(.as_r_array(x$numpy()))  # tensors
  reticulate::py_to_r(x)
}

# An R data frame as a pandas DataFrame, column by column through Python lists (list
# columns, e.g. several labels per image, become lists of lists); rows numbered from 0.
.as_pandas <- function(frame) {
  if (.is_python(frame)) return(frame)
  frame <- as.data.frame(frame, stringsAsFactors = FALSE)
  columns <- lapply(frame, function(column) {
    if (is.factor(column)) column <- as.character(column)
    if (is.list(column)) lapply(column, as.list) else as.list(column)
  })
  pandas <- reticulate::import("pandas", convert = FALSE)
  pandas$DataFrame(reticulate::r_to_py(columns))
}

`%||%` <- function(x, y) if (is.null(x)) y else x
