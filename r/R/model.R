# fit(), evaluate() and predict() for the Keras models reticulate gives, with R keras 2.x's
# arguments: R numbers become the ints Python wants, R arrays NumPy arrays, and fit()
# returns an R history. A steps_per_epoch that covers less than one pass over a
# generator's images is named before training starts.

# The Keras model classes these methods are registered for: Keras 3, and Keras 2 /
# tf.keras (keras.engine, keras.src.engine).
.model_classes <- c("keras.src.models.model.Model", "keras.engine.training.Model",
                    "keras.src.engine.training.Model")

#' Train a Keras model (R keras 2.x)
#'
#' `fit()` is a generic; this package gives it a method for the Keras models
#' that reticulate returns (Keras 3, and Keras 2 / tf.keras), with R keras
#' 2.x's arguments and defaults. R numbers are converted to the Python ints
#' Keras wants (`epochs = 10` works, no `10L` needed), R arrays to NumPy
#' arrays.
#'
#' When `x` is an iterator from a `flow_images_from_*()` function and
#' `steps_per_epoch` covers less than one pass over its images, a warning says
#' so before training starts, what was probably counted (the class folders,
#' as `length(list.files(train_dir))` does) and what to write instead:
#' `ceiling(train_generator$samples / 32)` for a batch size of 32, or nothing
#' (Keras then takes one pass). The same for `validation_steps` and
#' `validation_data`.
#'
#' @param object A Keras model, compiled.
#' @param x Training data: an iterator from [flow_images_from_directory()]
#'   (or another `flow_images_from_*()`), an R array, or any input Python
#'   Keras takes.
#' @param y Labels for an array `x` (an R vector, matrix or array); `NULL`
#'   for iterators, which carry their labels.
#' @param batch_size Samples per step for arrays (default 32); must be `NULL`
#'   for iterators, which have their own.
#' @param epochs Number of epochs.
#' @param verbose 0 (silent), 1 (progress bar), 2 (one line per epoch) or
#'   `"auto"`.
#' @param callbacks A list of Python Keras callbacks.
#' @param view_metrics Accepted for R keras 2.x code; ignored (there is no
#'   RStudio viewer of metrics here: `plot()` the history instead).
#' @param validation_split Share of array data kept for validation.
#' @param validation_data An iterator, or `list(x, y)` of R arrays.
#' @param shuffle Shuffle the training data (for iterators, the batch order).
#' @param class_weight Named list of class weights: `list("0" = 1, "1" = 3)`.
#' @param sample_weight Sample weights for array data.
#' @param initial_epoch Epoch to start from (to resume training).
#' @param steps_per_epoch Batches per epoch; `NULL` is one pass over the data.
#' @param validation_steps Validation batches; `NULL` is one pass.
#' @param ... Further arguments of Python's `Model.fit()`, passed on as they
#'   are.
#'
#' @return An R training history (class `keras_training_history`), invisibly:
#'   `$metrics` holds one numeric vector per metric (`loss`, `accuracy`,
#'   `val_loss`, ...) with one value per epoch, `$params` the epochs and
#'   steps. `plot()` draws it, `as.data.frame()` makes it long.
#'
#' @section Python:
#' `model.fit(x, y, batch_size, epochs, ...)`; `epochs`, `batch_size`,
#' `initial_epoch`, `steps_per_epoch`, `validation_steps` and `verbose` are
#' sent as Python ints, `class_weight` as a dict with int keys. The history
#' is `History.history` converted to R.
#'
#' @section Units compared with keras3's layers:
#' keras3's own `fit()` takes the same arguments. With keras3 the
#' augmentation runs inside the model or the dataset, as `layer_random_*()`
#' layers (see [image_data_generator()] for their units), and
#' `steps_per_epoch` is usually left out.
#'
#' @examplesIf augwidgets_available()
#' keras <- reticulate::import("keras")
#' model <- keras$Sequential(list(keras$Input(shape = list(4L)),
#'                                keras$layers$Dense(1L)))
#' model$compile(optimizer = "sgd", loss = "mse")
#' x <- matrix(runif(40), ncol = 4)
#' history <- model %>% fit(x, rowSums(x), epochs = 2, verbose = 0)
#' history$metrics$loss
#' @export
fit <- function(object, ...) UseMethod("fit")

#' @rdname fit
#' @export
fit.keras.src.models.model.Model <- function(
    object, x = NULL, y = NULL, batch_size = NULL, epochs = 10,
    verbose = getOption("keras.fit_verbose", default = "auto"), callbacks = NULL,
    view_metrics = getOption("keras.view_metrics", default = "auto"),
    validation_split = 0, validation_data = NULL, shuffle = TRUE, class_weight = NULL,
    sample_weight = NULL, initial_epoch = 0, steps_per_epoch = NULL, validation_steps = NULL,
    ...) {
  if (is.null(batch_size) && is.null(steps_per_epoch) && !.is_python(x)) batch_size <- 32
  .stop_if_r_preprocessing(x, "x")
  .stop_if_r_preprocessing(validation_data, "validation_data")
  .warn_short_epochs(x, steps_per_epoch, "steps_per_epoch",
                     .expression_name(substitute(x), "train_generator"))
  .warn_short_epochs(validation_data, validation_steps, "validation_steps",
                     .expression_name(substitute(validation_data), "validation_generator"))
  if (is.list(validation_data) && !.is_python(validation_data)) {
    validation_data <- do.call(reticulate::tuple, lapply(validation_data, .as_numpy))
  }
  args <- list(x = .as_numpy(x), y = .as_numpy(y),
               batch_size = .as_int(batch_size, "batch_size"),
               epochs = .as_int(epochs, "epochs"), verbose = .as_verbose(verbose),
               callbacks = callbacks, validation_split = validation_split,
               validation_data = validation_data, shuffle = shuffle,
               class_weight = .as_class_weight(class_weight),
               sample_weight = .as_numpy(sample_weight),
               initial_epoch = .as_int(initial_epoch, "initial_epoch"),
               steps_per_epoch = .as_int(steps_per_epoch, "steps_per_epoch"),
               validation_steps = .as_int(validation_steps, "validation_steps"))
  args <- c(Filter(Negate(is.null), args), list(...))
  history <- .call_method(object, "fit", args)
  invisible(.training_history(history, epochs = .as_int(epochs, "epochs")))
}

#' @rawNamespace S3method(fit, keras.engine.training.Model, fit.keras.src.models.model.Model)
#' @rawNamespace S3method(fit, keras.src.engine.training.Model, fit.keras.src.models.model.Model)
NULL

#' Evaluate a Keras model (R keras 2.x)
#'
#' `evaluate()` is a generic; this package gives it a method for the Keras
#' models that reticulate returns, with R keras 2.x's arguments, converting
#' R numbers to Python ints and R arrays to NumPy arrays.
#'
#' @inheritParams fit
#' @param x Test data: an iterator from a `flow_images_from_*()` function (for
#'   example with `shuffle = FALSE`), or an R array.
#' @param steps Batches to evaluate; `NULL` is one pass over the data.
#'
#' @return A named list: the loss and each metric (`list(loss = ..., accuracy
#'   = ...)`).
#'
#' @section Python:
#' `model.evaluate(x, y, batch_size, verbose, sample_weight, steps,
#' callbacks, return_dict = True)`.
#'
#' @section Units compared with keras3's layers:
#' keras3's `evaluate()` takes the same arguments. The `layer_random_*()`
#' layers are inactive outside training, as a validation generator without
#' augmentation is here.
#'
#' @examplesIf augwidgets_available()
#' keras <- reticulate::import("keras")
#' model <- keras$Sequential(list(keras$Input(shape = list(4L)),
#'                                keras$layers$Dense(1L)))
#' model$compile(optimizer = "sgd", loss = "mse", metrics = list("mae"))
#' x <- matrix(runif(40), ncol = 4)
#' evaluate(model, x, rowSums(x), verbose = 0)
#' @export
evaluate <- function(object, ...) UseMethod("evaluate")

#' @rdname evaluate
#' @export
evaluate.keras.src.models.model.Model <- function(object, x = NULL, y = NULL,
                                                  batch_size = NULL, verbose = "auto",
                                                  sample_weight = NULL, steps = NULL,
                                                  callbacks = NULL, ...) {
  if (is.null(batch_size) && is.null(steps) && !.is_python(x)) batch_size <- 32
  .stop_if_r_preprocessing(x, "x")
  args <- list(x = .as_numpy(x), y = .as_numpy(y),
               batch_size = .as_int(batch_size, "batch_size"), verbose = .as_verbose(verbose),
               sample_weight = .as_numpy(sample_weight), steps = .as_int(steps, "steps"),
               callbacks = callbacks, return_dict = TRUE)
  args <- c(Filter(Negate(is.null), args), list(...))
  result <- .call_method(object, "evaluate", args)
  lapply(.as_r_value(result), function(value) as.numeric(value))
}

#' @rawNamespace S3method(evaluate, keras.engine.training.Model, evaluate.keras.src.models.model.Model)
#' @rawNamespace S3method(evaluate, keras.src.engine.training.Model, evaluate.keras.src.models.model.Model)
NULL

#' Predict with a Keras model (R keras 2.x)
#'
#' A method of R's `predict()` for the Keras models that reticulate returns,
#' with R keras 2.x's arguments. The result is an R array (a matrix of class
#' probabilities for a classifier), one row per image.
#'
#' @inheritParams evaluate
#' @param object A Keras model.
#' @param x Images: an iterator from a `flow_images_from_*()` function (with
#'   `shuffle = FALSE`, rows then follow `$filenames` and `$classes`), or an
#'   R array.
#' @param ... Further arguments of Python's `Model.predict()`.
#'
#' @return An R array with one row per input.
#'
#' @section Python:
#' `model.predict(x, batch_size, verbose, steps, callbacks)`; the NumPy result
#' is converted to an R array.
#'
#' @section Units compared with keras3's layers:
#' keras3's `predict()` takes the same arguments; `layer_random_*()` layers do
#' nothing at prediction time.
#'
#' @examplesIf augwidgets_available()
#' keras <- reticulate::import("keras")
#' model <- keras$Sequential(list(keras$Input(shape = list(4L)),
#'                                keras$layers$Dense(2L, activation = "softmax")))
#' predict(model, matrix(runif(12), ncol = 4), verbose = 0)
#' @rdname predict
#' @importFrom stats predict
#' @export
predict.keras.src.models.model.Model <- function(object, x, batch_size = NULL,
                                                 verbose = "auto", steps = NULL,
                                                 callbacks = NULL, ...) {
  if (is.null(batch_size) && is.null(steps) && !.is_python(x)) batch_size <- 32
  .stop_if_r_preprocessing(x, "x")
  args <- list(x = .as_numpy(x), batch_size = .as_int(batch_size, "batch_size"),
               verbose = .as_verbose(verbose), steps = .as_int(steps, "steps"),
               callbacks = callbacks)
  args <- c(Filter(Negate(is.null), args), list(...))
  .as_r_value(.call_method(object, "predict", args))
}

#' @rawNamespace S3method(predict, keras.engine.training.Model, predict.keras.src.models.model.Model)
#' @rawNamespace S3method(predict, keras.src.engine.training.Model, predict.keras.src.models.model.Model)
NULL

# calls a Python method without converting its result (NumPy arrays are converted by
# .as_r_value, which works with every reticulate)
.call_method <- function(object, name, args) {
  call <- reticulate::py_eval("lambda method, kwargs: method(**kwargs)", convert = FALSE)
  reticulate::py_call(call, .builtins()$getattr(object, name), reticulate::r_to_py(args))
}

# Keras pulls batches from a background thread, where an R preprocessing_function
# can't run (R has one thread); R keras 2.x had the same limit with TensorFlow 2.
.stop_if_r_preprocessing <- function(data, argument) {
  if (!.is_python(data) || !reticulate::py_has_attr(data, "image_data_generator")) {
    return(invisible())
  }
  generator <- reticulate::py_get_attr(data, "image_data_generator")
  if (!reticulate::py_has_attr(generator, "preprocessing_function")) return(invisible())
  f <- reticulate::py_get_attr(generator, "preprocessing_function")
  if (reticulate::py_has_attr(f, "_augwidgets_r_function")) {
    stop("`", argument, "` comes from a generator whose preprocessing_function is an R ",
         "function. Keras asks for batches from a background thread, where R functions ",
         "can't run (generator_next() can, on R's main thread). Write the function in ",
         "Python instead: reticulate::py_run_string(\"def prep(x): return x / 127.5 - 1\"), ",
         "then image_data_generator(preprocessing_function = reticulate::py$prep). ",
         "Received: an R preprocessing_function", call. = FALSE)
  }
}

.as_verbose <- function(verbose) {
  if (identical(verbose, "auto")) verbose else .as_int(verbose, "verbose")
}

.as_class_weight <- function(class_weight) {
  if (is.null(class_weight) || .is_python(class_weight)) return(class_weight)
  keys <- suppressWarnings(as.integer(names(class_weight)))
  if (is.null(names(class_weight)) || anyNA(keys)) {
    stop("`class_weight` must be a list named by class index, e.g. list(\"0\" = 1, ",
         "\"1\" = 3). Received: class_weight = ", .deparse(class_weight), call. = FALSE)
  }
  builtins <- reticulate::import_builtins(convert = FALSE)
  weights <- builtins$dict()
  for (i in seq_along(keys)) {
    weights$`__setitem__`(keys[[i]], as.numeric(class_weight[[i]]))
  }
  weights
}

.expression_name <- function(expr, fallback) {
  if (is.name(expr) && !identical(expr, quote(.))) as.character(expr) else fallback
}

# The warning for steps that cover less than one pass over a flow_images_from_*()
# iterator, naming what was probably counted.
.warn_short_epochs <- function(data, steps, argument, name) {
  if (is.null(steps) || !.is_python(data) || !reticulate::py_has_attr(data, "samples") ||
      !reticulate::py_has_attr(data, "batch_size")) {
    return(invisible())
  }
  samples <- reticulate::py_to_r(reticulate::py_get_attr(data, "samples"))
  batch_size <- reticulate::py_to_r(reticulate::py_get_attr(data, "batch_size"))
  one_pass <- ceiling(samples / batch_size)
  if (!is.numeric(steps) || length(steps) != 1 || steps >= one_pass) return(invisible())
  classes <- if (reticulate::py_has_attr(data, "class_indices")) {
    length(reticulate::py_to_r(reticulate::py_get_attr(data, "class_indices")))
  } else {
    NA
  }
  counted <- if (!is.na(classes) && steps == classes) {
    sprintf(paste0(" %d is the number of class folders: length(list.files(<directory>)) ",
                   "counts the class folders, not the images."), classes)
  } else if (!is.na(classes) && steps == ceiling(classes / batch_size)) {
    sprintf(paste0(" %d is ceiling(%d / %d), the number of class folders divided by the ",
                   "batch size: length(list.files(<directory>)) counts the class folders, ",
                   "not the images."), steps, classes, batch_size)
  } else {
    ""
  }
  # immediate: printed before training starts, not after the last epoch
  warning(sprintf(paste0(
    "%s = %s covers %s of the %d images in %s, less than one pass: every \"epoch\" (and ",
    "every validation, checkpoint and early-stopping check tied to it) sees only part of ",
    "the data.%s Write %s = ceiling(%s$samples / %d) (= %d), or leave %s out: Keras then ",
    "takes one pass."),
    argument, format(steps), format(min(steps * batch_size, samples)), samples, name,
    counted, argument, name, batch_size, one_pass, argument),
    call. = FALSE, immediate. = TRUE)
}
