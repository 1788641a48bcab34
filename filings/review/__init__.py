"""Provider review: staff check what customers submit before it goes to the bureau."""
