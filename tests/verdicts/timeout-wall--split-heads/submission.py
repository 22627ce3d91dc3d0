import time


def split_heads(x, num_heads):
    time.sleep(60)  # waits, using no CPU: only the wall clock stops it
    return x
