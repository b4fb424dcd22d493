library(augwidgets)
train_datagen <- image_data_generator(rescale = 1/255, rotation_range = 20,
  width_shift_range = 0.2, height_shift_range = 0.2)
val_datagen <- image_data_generator(rescale = 1/255) # No augmentation for validation
train_generator <- train_datagen %>% flow_images_from_directory(
  directory = "path/to/train/images", target_size = c(224, 224), batch_size = 32,
  class_mode = "categorical")
validation_generator <- val_datagen %>% flow_images_from_directory(
  directory = "path/to/val/images", target_size = c(224, 224), batch_size = 32,
  class_mode = "categorical")
history <- model %>% fit(train_generator,
  steps_per_epoch = ceiling(length(list.files("path/to/train/images")) / 32), epochs = 10,
  validation_data = validation_generator,
  validation_steps = ceiling(length(list.files("path/to/val/images")) / 32))
