use std::{
    fmt,
    ops::{Deref, DerefMut},
};

use bytes::Bytes;

use crate::pool::BufferPool;

/// A buffer borrowed from a [`BufferPool`]; dropping it clears the buffer and gives it
/// back.
///
/// It dereferences to `Vec<u8>`, so it reads and grows like one. The guard owns the
/// buffer until it drops; the pool owns it afterwards. Because giving the buffer back
/// *is* the drop, no reference into it can survive the return. The borrow checker
/// rejects reading through an old borrow:
///
/// ```compile_fail,E0505
/// use logscan_pool::BufferPool;
///
/// let pool = BufferPool::new();
/// let mut buf = pool.get();
/// buf.extend_from_slice(b"a line\n");
/// let line: &[u8] = &buf;
/// drop(buf); // back to the pool, where another thread may take it
/// assert_eq!(line, b"a line\n"); // error[E0505]: cannot move out of `buf` while borrowed
/// ```
///
/// and writing through the guard after it went back:
///
/// ```compile_fail,E0382
/// use logscan_pool::BufferPool;
///
/// let pool = BufferPool::new();
/// let mut buf = pool.get();
/// drop(buf);
/// buf.push(b'x'); // error[E0382]: borrow of moved value: `buf`
/// ```
///
/// The same code with the use before the return compiles and runs:
///
/// ```
/// use logscan_pool::BufferPool;
///
/// let pool = BufferPool::new();
/// let mut buf = pool.get();
/// buf.extend_from_slice(b"a line\n");
/// let line: &[u8] = &buf;
/// assert_eq!(line, b"a line\n");
/// drop(buf);
/// assert_eq!(pool.stats().returns, 1);
/// ```
pub struct PooledBuf {
    buf: Vec<u8>,
    /// `None` once [`PooledBuf::into_vec`] took the buffer out for good.
    pool: Option<BufferPool>,
}

impl PooledBuf {
    pub(crate) fn new(buf: Vec<u8>, pool: BufferPool) -> Self {
        Self {
            buf,
            pool: Some(pool),
        }
    }

    /// Takes the buffer out of the pool for good: it will not be returned or reused.
    pub fn into_vec(mut self) -> Vec<u8> {
        if let Some(pool) = self.pool.take() {
            pool.note_detached();
        }
        std::mem::take(&mut self.buf)
    }

    /// Turns the filled buffer into a read-only [`Bytes`] that can be cloned and shared
    /// between threads without copying.
    ///
    /// The buffer goes back to the pool when the last clone (or slice) of the returned
    /// `Bytes` is dropped.
    ///
    /// ```
    /// use logscan_pool::BufferPool;
    ///
    /// let pool = BufferPool::new();
    /// let mut buf = pool.get();
    /// buf.extend_from_slice(b"one\ntwo\n");
    /// let shared = buf.freeze();
    /// let second = shared.slice(4..);
    /// drop(shared);
    /// assert_eq!(pool.stats().returns, 0); // `second` still holds the buffer
    /// assert_eq!(&second[..], b"two\n");
    /// drop(second);
    /// assert_eq!(pool.stats().returns, 1);
    /// ```
    pub fn freeze(self) -> Bytes {
        Bytes::from_owner(self)
    }
}

impl Drop for PooledBuf {
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            pool.put(std::mem::take(&mut self.buf));
        }
    }
}

impl Deref for PooledBuf {
    type Target = Vec<u8>;

    fn deref(&self) -> &Vec<u8> {
        &self.buf
    }
}

impl DerefMut for PooledBuf {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }
}

impl AsRef<[u8]> for PooledBuf {
    fn as_ref(&self) -> &[u8] {
        &self.buf
    }
}

impl AsMut<[u8]> for PooledBuf {
    fn as_mut(&mut self) -> &mut [u8] {
        &mut self.buf
    }
}

impl fmt::Debug for PooledBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PooledBuf")
            .field("len", &self.buf.len())
            .field("capacity", &self.buf.capacity())
            .finish()
    }
}
