class RingBuilder: pass
