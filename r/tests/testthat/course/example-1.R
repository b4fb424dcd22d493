library(augwidgets)
train_generator <- flow_images_from_directory(
  directory = "path/to/train/images", target_size = c(224, 224), batch_size = 32,
  class_mode = "categorical")
model <- build_model() # Assume a pre-defined model structure
model %>% fit(train_generator,
  steps_per_epoch = ceiling(length(list.files("path/to/train/images")) / 32), epochs = 10)
