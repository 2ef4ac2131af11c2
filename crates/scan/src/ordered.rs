//! The ordered map: pieces mapped in parallel, results handed to a sink in input order,
//! with a bounded number of pieces in flight.
//!
//! Three parties: a producer thread hands out pieces in order (counting lines of
//! contiguous input, or reading Stream blocks), workers on the pool map them, and the
//! calling thread puts the results back in order and runs the sink. A gate stops the
//! producer from getting more than `window` pieces ahead of the sink, which bounds
//! memory however slow the sink or one piece is.

use std::{
    collections::BTreeMap,
    sync::{Condvar, Mutex, MutexGuard, PoisonError},
    thread,
};

use crossbeam_channel::{Receiver, Sender};
use logscan_source::count_lines;

use crate::{
    Chunk, Error, MapError,
    piece::{Failure, Piece, Shared, Totals},
};

pub(crate) struct Job<'p> {
    pub(crate) threads: usize,
    /// Pieces allowed between the producer and the sink.
    pub(crate) window: u64,
    pub(crate) queue_depth: usize,
    pub(crate) pool: Option<&'p rayon::ThreadPool>,
}

/// What mapping a piece gave: the value of its lines — all of them, or those before
/// its first over-long line — and the failure that ends the scan there, if any.
struct Mapped<T> {
    value: Option<(T, Totals)>,
    failure: Option<Failure>,
}

impl<T> Mapped<T> {
    fn failed(failure: Failure) -> Self {
        Self {
            value: None,
            failure: Some(failure),
        }
    }

    /// Sinks the value, then reports the failure: lines before an over-long line are
    /// written on every strategy, as Stream's reader hands them out before it fails.
    fn sink<E>(
        self,
        totals: &mut Totals,
        sink: &mut impl FnMut(T) -> Result<(), E>,
    ) -> Result<(), MapError<E>> {
        if let Some((value, piece_totals)) = self.value {
            totals.add(piece_totals);
            sink(value).map_err(MapError::Sink)?;
        }
        match self.failure {
            Some(failure) => Err(MapError::Scan(failure.error)),
            None => Ok(()),
        }
    }
}

impl Job<'_> {
    pub(crate) fn run<'a, I, T, M, S, E>(
        &self,
        pieces: I,
        shared: &Shared<'_>,
        map: &M,
        mut sink: S,
    ) -> Result<Totals, MapError<E>>
    where
        I: Iterator<Item = Result<Piece<'a>, logscan_source::Error>> + Send,
        T: Send,
        M: Fn(Chunk<'_>) -> T + Sync,
        S: FnMut(T) -> Result<(), E>,
    {
        let Some(pool) = self.pool.filter(|_| self.threads > 1) else {
            let mut totals = Totals::default();
            for piece in pieces {
                let piece = piece.map_err(Error::from)?;
                map_piece(piece, shared, map).sink(&mut totals, &mut sink)?;
            }
            shared.progress.finish(totals.end);
            return Ok(totals);
        };

        let gate = Gate::new(self.window);
        let (task_tx, task_rx) = crossbeam_channel::bounded::<Piece<'a>>(self.queue_depth);
        let (done_tx, done_rx) = crossbeam_channel::unbounded::<(u64, Mapped<T>)>();
        let outcome = thread::scope(|s| {
            let producer = {
                let gate = &gate;
                let done_tx = done_tx.clone();
                s.spawn(move || produce(pieces, gate, &task_tx, &done_tx))
            };
            let outcome = pool.in_place_scope(|scope| {
                for _ in 0..self.threads {
                    let (task_rx, done_tx, gate) = (task_rx.clone(), done_tx.clone(), &gate);
                    scope.spawn(move |_| work(&task_rx, &done_tx, gate, shared, map));
                }
                drop((task_rx, done_tx));
                // Whatever way the sink loop ends (finished, failed, or panicking in
                // the sink), the producer and workers must be let go.
                let _cancel_on_exit = CancelOnDrop(&gate);
                sink_in_order(&done_rx, &gate, &mut sink)
            });
            if let Err(panic) = producer.join() {
                std::panic::resume_unwind(panic);
            }
            outcome
        })?;
        shared.progress.finish(outcome.end);
        Ok(outcome)
    }
}

/// Maps one piece; the piece's lines are checked against the limit first, and a
/// mapped file's bytes are checked after, so a value built from vanished bytes is
/// never passed on. A piece holding an over-long line (under the error policy) maps
/// the lines before it, then fails.
fn map_piece<T, M>(piece: Piece<'_>, shared: &Shared<'_>, map: &M) -> Mapped<T>
where
    M: Fn(Chunk<'_>) -> T,
{
    let (bytes, skipped, failure) = match shared.check_lines(&piece) {
        Ok(skipped) => (piece.bytes(), skipped, None),
        Err(failure) => {
            // An over-long line fails at its own offset; a mapped file that shrank
            // fails at the piece's start, and then nothing of it is mapped.
            let before = usize::try_from(failure.offset.saturating_sub(piece.byte_offset))
                .unwrap_or(usize::MAX)
                .min(piece.bytes().len());
            if before == 0 {
                return Mapped::failed(failure);
            }
            (&piece.bytes()[..before], 0, Some(failure))
        }
    };
    let line_count = match (piece.line_count, &failure) {
        (Some(count), None) => count,
        _ => count_lines(bytes),
    };
    let value = map(Chunk::new(
        bytes,
        piece.first_line,
        piece.byte_offset,
        shared.limit,
    ));
    if let Err(error) = shared.check_intact() {
        return Mapped::failed(Failure {
            offset: piece.byte_offset,
            error,
        });
    }
    shared.progress.advance(bytes.len() as u64);
    let totals = Totals {
        lines: line_count - skipped,
        skipped: skipped + piece.skipped_before,
        chunks: 1,
        end: piece.byte_offset + bytes.len() as u64,
    };
    Mapped {
        value: Some((value, totals)),
        failure,
    }
}

fn produce<'a, I, T>(
    pieces: I,
    gate: &Gate,
    task_tx: &Sender<Piece<'a>>,
    done_tx: &Sender<(u64, Mapped<T>)>,
) where
    I: Iterator<Item = Result<Piece<'a>, logscan_source::Error>>,
{
    let mut next_seq = 0;
    for piece in pieces {
        match piece {
            Ok(piece) => {
                next_seq = piece.seq + 1;
                if !gate.wait_turn(piece.seq) || task_tx.send(piece).is_err() {
                    return;
                }
            }
            Err(error) => {
                // The reader fails only after handing out every block before the
                // failure, so the failure takes the next place in order.
                let failure = Failure {
                    offset: u64::MAX,
                    error: error.into(),
                };
                let _ = done_tx.send((next_seq, Mapped::failed(failure)));
                return;
            }
        }
    }
}

fn work<T, M>(
    task_rx: &Receiver<Piece<'_>>,
    done_tx: &Sender<(u64, Mapped<T>)>,
    gate: &Gate,
    shared: &Shared<'_>,
    map: &M,
) where
    M: Fn(Chunk<'_>) -> T,
{
    // A panicking map must not leave the producer waiting at the gate for a result
    // that never comes; the panic itself reaches the caller through the pool's scope.
    let _cancel_on_panic = CancelOnPanic(gate);
    for piece in task_rx {
        if gate.is_cancelled() || !shared.wanted(piece.byte_offset) {
            continue;
        }
        let seq = piece.seq;
        let result = map_piece(piece, shared, map);
        if let Some(failure) = &result.failure {
            shared.fail_at(failure.offset);
        }
        if done_tx.send((seq, result)).is_err() {
            return;
        }
    }
}

/// Runs on the calling thread: puts results back in input order and sinks them.
fn sink_in_order<T, S, E>(
    done_rx: &Receiver<(u64, Mapped<T>)>,
    gate: &Gate,
    sink: &mut S,
) -> Result<Totals, MapError<E>>
where
    S: FnMut(T) -> Result<(), E>,
{
    let mut totals = Totals::default();
    let mut waiting = BTreeMap::new();
    let mut next = 0;
    for (seq, result) in done_rx {
        waiting.insert(seq, result);
        while let Some(result) = waiting.remove(&next) {
            next += 1;
            result.sink(&mut totals, sink)?;
            gate.advance(next);
        }
    }
    Ok(totals)
}

/// Lets the producer hand out piece `seq` only once the sink has taken every piece
/// up to `seq - window`.
struct Gate {
    state: Mutex<GateState>,
    changed: Condvar,
    window: u64,
}

struct GateState {
    sunk: u64,
    cancelled: bool,
}

impl Gate {
    fn new(window: u64) -> Self {
        Self {
            state: Mutex::new(GateState {
                sunk: 0,
                cancelled: false,
            }),
            changed: Condvar::new(),
            window: window.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until piece `seq` may be handed out; false if the job was cancelled.
    fn wait_turn(&self, seq: u64) -> bool {
        let mut state = self.lock();
        while !state.cancelled && seq >= state.sunk + self.window {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        !state.cancelled
    }

    fn advance(&self, sunk: u64) {
        self.lock().sunk = sunk;
        self.changed.notify_all();
    }

    fn cancel(&self) {
        self.lock().cancelled = true;
        self.changed.notify_all();
    }

    fn is_cancelled(&self) -> bool {
        self.lock().cancelled
    }
}

struct CancelOnDrop<'a>(&'a Gate);

impl Drop for CancelOnDrop<'_> {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

struct CancelOnPanic<'a>(&'a Gate);

impl Drop for CancelOnPanic<'_> {
    fn drop(&mut self) {
        if thread::panicking() {
            self.0.cancel();
        }
    }
}
