# Shared by the tests: skip where no Python with augwidgets is configured (CRAN-like
# checks), and write the bundled digits dataset once per test run.

skip_if_no_augwidgets <- function() {
  if (!augwidgets_available()) {
    skip("no Python with augwidgets: set RETICULATE_PYTHON (scripts/test_r does)")
  }
}

.test_state <- new.env()

# The bundled digits (offline): train/ and validation/, 10 class folders of 32x32 PNGs.
digits_dir <- function() {
  if (is.null(.test_state$digits)) {
    aw <- import_augwidgets()
    root <- aw$datasets$digits(file.path(tempdir(), "digits"))
    .test_state$digits <- as.character(root)
  }
  .test_state$digits
}

keras_module <- function() reticulate::import("keras")

numpy_module <- function() reticulate::import("numpy", convert = FALSE)

# A tiny classifier for the digits at `size` x `size` x `channels`.
tiny_classifier <- function(size, channels = 1L, classes = 10L) {
  keras <- keras_module()
  keras$utils$set_random_seed(0L)
  model <- keras$Sequential(list(
    keras$Input(shape = list(as.integer(size), as.integer(size), as.integer(channels))),
    keras$layers$AveragePooling2D(pool_size = 4L),
    keras$layers$Flatten(),
    keras$layers$Dense(as.integer(classes), activation = "softmax")))
  model$compile(optimizer = "adam", loss = "categorical_crossentropy",
                metrics = list("accuracy"))
  model
}
