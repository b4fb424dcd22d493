"""What the iterators own at run time: worker threads, the Keras base class, the allocator fix."""
