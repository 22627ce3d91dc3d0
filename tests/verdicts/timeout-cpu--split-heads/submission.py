def split_heads(x, num_heads):
    while True:  # never returns
        pass
