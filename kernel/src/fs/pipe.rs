//! Pipes (Linux `fs/pipe.c`): a bounded byte buffer with a read end and a write end.
//! Readers sleep while it is empty and writers remain; writers sleep while it is full;
//! writing with no reader left is EPIPE (and SIGPIPE); reading with no writer left and
//! nothing buffered is end of file.

use crate::errno::{Errno, KResult};
use crate::task::wait_queue::WaitQueue;
use alloc::collections::VecDeque;
use spin::Mutex;

/// Bytes a pipe buffers (Linux `PIPE_DEF_BUFFERS` pages: 64 KiB).
pub const PIPE_BUF_SIZE: usize = 64 << 10;

/// A pipe.
pub struct Pipe {
    inner: Mutex<PipeInner>,
    /// Readers wait here for data or the last writer's close.
    pub rd_wait: WaitQueue,
    /// Writers wait here for room or the last reader's close.
    pub wr_wait: WaitQueue,
}

struct PipeInner {
    buf: VecDeque<u8>,
    readers: usize,
    writers: usize,
}

impl Default for Pipe {
    fn default() -> Self {
        Self::new()
    }
}

impl Pipe {
    /// A pipe with one reader and one writer.
    pub fn new() -> Pipe {
        Pipe {
            inner: Mutex::new(PipeInner {
                buf: VecDeque::new(),
                readers: 1,
                writers: 1,
            }),
            rd_wait: WaitQueue::new(),
            wr_wait: WaitQueue::new(),
        }
    }

    /// Bytes buffered, for FIONREAD (Linux `pipe_ioctl`).
    pub fn available(&self) -> usize {
        self.inner.lock().buf.len()
    }

    /// Another descriptor opened the read end (not used by fork: files are shared).
    pub fn close_reader(&self) {
        self.inner.lock().readers -= 1;
        self.wr_wait.wake_all();
    }

    /// The write end's file closed.
    pub fn close_writer(&self) {
        self.inner.lock().writers -= 1;
        self.rd_wait.wake_all();
    }

    /// Read what is there, waiting for at least one byte unless `nonblock` (Linux
    /// `pipe_read`).
    pub fn read(&self, out: &mut [u8], nonblock: bool) -> KResult<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let mut result = Ok(0);
        let ok = self.rd_wait.wait_until(|| {
            let mut p = self.inner.lock();
            if !p.buf.is_empty() {
                let n = out.len().min(p.buf.len());
                for (i, b) in p.buf.drain(..n).enumerate() {
                    out[i] = b;
                }
                result = Ok(n);
                return true;
            }
            if p.writers == 0 {
                result = Ok(0);
                return true;
            }
            if nonblock {
                result = Err(Errno::EAGAIN);
                return true;
            }
            false
        });
        self.wr_wait.wake_all();
        if !ok {
            return Err(Errno::ERESTARTSYS);
        }
        result
    }

    /// Write all of `data`, waiting for room (Linux `pipe_write`). EPIPE without readers.
    pub fn write(&self, data: &[u8], nonblock: bool) -> KResult<usize> {
        let mut done = 0;
        let mut result = Ok(0);
        let ok = self.wr_wait.wait_until(|| {
            let mut p = self.inner.lock();
            if p.readers == 0 {
                result = Err(Errno::EPIPE);
                return true;
            }
            let room = PIPE_BUF_SIZE - p.buf.len();
            let n = room.min(data.len() - done);
            p.buf.extend(&data[done..done + n]);
            done += n;
            if n > 0 {
                self.rd_wait.wake_all();
            }
            if done == data.len() {
                result = Ok(done);
                return true;
            }
            if nonblock {
                result = if done > 0 {
                    Ok(done)
                } else {
                    Err(Errno::EAGAIN)
                };
                return true;
            }
            false
        });
        if !ok {
            return if done > 0 {
                Ok(done)
            } else {
                Err(Errno::ERESTARTSYS)
            };
        }
        result
    }

    /// This end's ready mask (Linux `pipe_poll`), registering on both queues.
    pub fn poll<'a>(
        &'a self,
        read_end: bool,
        pt: Option<&mut super::select::PollTable<'a>>,
    ) -> u32 {
        if let Some(pt) = pt {
            pt.poll_wait(&self.rd_wait);
            pt.poll_wait(&self.wr_wait);
        }
        let p = self.inner.lock();
        super::poll::pipe_poll_mask(read_end, p.buf.len(), PIPE_BUF_SIZE, p.readers, p.writers)
    }
}
