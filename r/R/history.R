# The R training history that fit() returns, as R keras 2.x's: a plain R object (it can
# be saved with saveRDS) with $params and $metrics, and print, plot and as.data.frame
# methods.

.training_history <- function(history, epochs) {
  metrics <- .as_r_value(reticulate::py_get_attr(history, "history"))
  metrics <- lapply(metrics, function(values) as.numeric(unlist(values)))
  params <- .as_r_value(reticulate::py_get_attr(history, "params"))
  params$epochs <- epochs
  keras_training_history(params = params, metrics = metrics)
}

# pads every metric to the same number of epochs (NA where one was not logged)
keras_training_history <- function(params, metrics) {
  rows <- max(0L, vapply(metrics, length, integer(1)))
  metrics <- lapply(metrics, function(values) c(values, rep(NA_real_, rows - length(values))))
  structure(list(params = params, metrics = metrics), class = "keras_training_history")
}

#' Training history (R keras 2.x)
#'
#' What [fit()] returns: `$metrics`, one numeric vector per metric with one
#' value per epoch (`loss`, `accuracy`, and `val_loss`, `val_accuracy` with
#' validation data), and `$params` (`epochs`, `steps`, `verbose`). A plain R
#' object: it survives `saveRDS()` and the end of the Python session.
#'
#' `plot()` draws every metric against the epoch, training and validation
#' together, one panel per metric, with base graphics. `as.data.frame()` gives
#' one row per epoch and metric (columns `epoch`, `value`, `metric`, `data`),
#' the long form ggplot2 wants.
#'
#' @param x A history from [fit()].
#' @param y Unused.
#' @param metrics Metrics to plot, e.g. `c("loss", "accuracy")`; `NULL` plots
#'   every metric (validation values go with their training metric).
#' @param method `"auto"` or `"base"`: base graphics (R keras 2.x used
#'   ggplot2 when installed; this package needs nothing beyond base R).
#' @param smooth,theme_bw Accepted for R keras 2.x code; ignored.
#' @param row.names,optional Unused (for the generic).
#' @param ... Passed on to [graphics::plot()] (plot) or unused.
#'
#' @return `plot()`: `x`, invisibly. `as.data.frame()`: a data frame.
#'   `print()`: `x`, invisibly.
#'
#' @section Python:
#' Built from the `History` object that Python's `model.fit()` returns: its
#' `history` dict is `$metrics`, its `params` dict is `$params`.
#'
#' @section Units compared with keras3's layers:
#' keras3's `fit()` returns the same kind of object, with the same fields.
#'
#' @examples
#' history <- structure(list(
#'   params = list(epochs = 3, steps = 45),
#'   metrics = list(loss = c(1.2, 0.8, 0.6), accuracy = c(0.5, 0.7, 0.8),
#'                  val_loss = c(1.0, 0.7, 0.65), val_accuracy = c(0.6, 0.75, 0.78))),
#'   class = "keras_training_history")
#' history
#' plot(history)
#' head(as.data.frame(history))
#' @name keras_training_history
#' @aliases plot.keras_training_history as.data.frame.keras_training_history
#'   print.keras_training_history
NULL

#' @rdname keras_training_history
#' @importFrom graphics plot
#' @export
plot.keras_training_history <- function(x, y, metrics = NULL, method = c("auto", "base"),
                                        smooth = TRUE, theme_bw = FALSE, ...) {
  match.arg(method)
  frame <- as.data.frame(x)
  if (is.null(metrics)) metrics <- levels(frame$metric)
  unknown <- setdiff(metrics, levels(frame$metric))
  if (length(unknown) > 0) {
    stop("`metrics` must name logged metrics (", paste(levels(frame$metric), collapse = ", "),
         "). Received: metrics = ", .deparse(metrics), call. = FALSE)
  }
  validated <- any(frame$data == "validation" & !is.na(frame$value))
  old <- graphics::par(mfrow = c(length(metrics), 1), mar = c(3, 4, 1.5, 1))
  on.exit(graphics::par(old), add = TRUE)
  for (metric in metrics) {
    rows <- frame[frame$metric == metric, ]
    training <- rows[rows$data == "training", ]
    validation <- rows[rows$data == "validation", ]
    graphics::plot(training$epoch, training$value, type = "b", pch = 1,
                   ylim = range(rows$value, na.rm = TRUE), xlab = "epoch", ylab = metric,
                   main = "", ...)
    if (validated && nrow(validation) > 0) {
      graphics::lines(validation$epoch, validation$value, type = "b", pch = 4, col = "red")
      graphics::legend("topright", legend = c(metric, paste0("val_", metric)),
                       pch = c(1, 4), col = c("black", "red"), bty = "n")
    }
  }
  invisible(x)
}

#' @rdname keras_training_history
#' @export
as.data.frame.keras_training_history <- function(x, row.names = NULL, optional = FALSE, ...) {
  names <- names(x$metrics)
  epochs <- max(0L, vapply(x$metrics, length, integer(1)))
  base <- sub("^val_", "", names)
  frame <- data.frame(
    epoch = rep(seq_len(epochs), times = length(names)),
    value = unlist(x$metrics, use.names = FALSE),
    metric = factor(rep(base, each = epochs), levels = unique(base)),
    data = factor(rep(ifelse(grepl("^val_", names), "validation", "training"), each = epochs),
                  levels = c("training", "validation")))
  rownames(frame) <- NULL
  frame
}

#' @rdname keras_training_history
#' @export
print.keras_training_history <- function(x, ...) {
  epochs <- max(0L, vapply(x$metrics, length, integer(1)))
  cat(sprintf("Trained for %d epoch%s%s\n", epochs, if (epochs == 1) "" else "s",
              if (!is.null(x$params$steps)) sprintf(" (%s step%s each)", x$params$steps,
                                                            if (identical(as.numeric(x$params$steps), 1)) "" else "s") else ""))
  if (epochs > 0) {
    last <- vapply(x$metrics, function(values) values[[epochs]], numeric(1))
    labels <- formatC(names(last), width = max(nchar(names(last))))
    cat("Final epoch (plot to see history):\n")
    cat(paste0(labels, ": ", formatC(last, digits = 4, format = "g"), collapse = "\n"), "\n")
  }
  invisible(x)
}
