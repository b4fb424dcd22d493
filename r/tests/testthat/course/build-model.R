# The build_model() the course assumes: a small classifier of 224x224 RGB images into the
# digits' 10 classes, built with Python Keras through reticulate.
build_model <- function() {
  keras <- reticulate::import("keras")
  keras$utils$set_random_seed(0L)
  model <- keras$Sequential(list(
    keras$Input(shape = list(224L, 224L, 3L)),
    keras$layers$AveragePooling2D(pool_size = 8L),
    keras$layers$Conv2D(8L, 3L, activation = "relu"),
    keras$layers$GlobalAveragePooling2D(),
    keras$layers$Dense(10L, activation = "softmax")))
  model$compile(optimizer = "adam", loss = "categorical_crossentropy",
                metrics = list("accuracy"))
  model
}
