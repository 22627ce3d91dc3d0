# expect: shape
# says: You returned x.unfold(1, window_size, step) as it comes
def create_sliding_windows(x, window_size, step):
    # unfold is the right tool, but its result still has the window axis last and B, W apart
    return x.unfold(1, window_size, step)
