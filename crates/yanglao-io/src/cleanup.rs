//! Temporary files that an interrupted run removes. A results file is written beside its
//! final name and a piped input is copied to TMPDIR (see [`super::sink`] and
//! [`super::spool`]); when Ctrl-C, SIGTERM or SIGHUP ends the run, their temporary files
//! would otherwise stay behind, as large as the output or the input. The handler only
//! unlinks the registered paths (a call that is safe in a signal handler), then lets the
//! signal end the process as it would have.

use std::path::Path;

/// A registered temporary file; dropping it unregisters the path (after the file is
/// renamed or removed).
#[derive(Debug)]
pub struct Registered {
    #[cfg(unix)]
    slot: usize,
}

/// One of the crate's few modules allowed `unsafe`: installing the signal handler and the
/// C strings it reads.
#[cfg(unix)]
#[allow(unsafe_code)]
mod imp {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;
    use std::sync::atomic::{AtomicPtr, Ordering};
    use std::sync::Once;

    /// Temporary files at once: results, paths and two copied inputs, with room to spare.
    const SLOTS: usize = 16;
    static PATHS: [AtomicPtr<libc::c_char>; SLOTS] = [const { AtomicPtr::new(std::ptr::null_mut()) }; SLOTS];
    static INSTALL: Once = Once::new();

    extern "C" fn on_signal(signal: libc::c_int) {
        for slot in &PATHS {
            let path = slot.load(Ordering::SeqCst);
            if !path.is_null() {
                // SAFETY: a registered pointer comes from `CString::into_raw` and is never
                // freed (see `register`), so it stays a valid C string.
                unsafe { libc::unlink(path) };
            }
        }
        // SAFETY: restoring the default action and raising the signal again are
        // async-signal-safe; the process then ends as the signal would have ended it.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }

    pub fn register(path: &Path) -> Option<usize> {
        INSTALL.call_once(|| {
            for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                // SAFETY: installs a handler that only calls async-signal-safe functions. A
                // signal the run was started with ignored (`nohup`, a background job of a
                // script) stays ignored.
                unsafe {
                    if libc::signal(signal, on_signal as *const () as libc::sighandler_t) == libc::SIG_IGN {
                        libc::signal(signal, libc::SIG_IGN);
                    }
                }
            }
        });
        // Leaked on purpose: the handler may read a slot at any moment, so a path is never
        // freed (a few bytes per temporary file of the run).
        let raw = CString::new(path.as_os_str().as_bytes()).ok()?.into_raw();
        let free = PATHS.iter().position(|slot| {
            slot.compare_exchange(std::ptr::null_mut(), raw, Ordering::SeqCst, Ordering::SeqCst).is_ok()
        });
        if free.is_none() {
            // SAFETY: `raw` came from `into_raw` just above and was not shared.
            drop(unsafe { CString::from_raw(raw) });
        }
        free
    }

    pub fn unregister(slot: usize) {
        PATHS[slot].store(std::ptr::null_mut(), Ordering::SeqCst);
    }
}

/// Off: no signal handler is installed (see [`leave_signals_alone`]).
static OFF: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// For a library inside another program (the Python package): installs no signal handler
/// from then on, so that the host keeps its own (Python's Ctrl-C is KeyboardInterrupt).
/// The host then removes what it gave the pipeline to write.
pub fn leave_signals_alone() {
    OFF.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// Registers `path` for removal if a signal ends the run; None when it cannot be (not on
/// Unix, more temporary files than slots, or after [`leave_signals_alone`]: the file is
/// then only removed by the run).
pub fn register(path: &Path) -> Option<Registered> {
    if OFF.load(std::sync::atomic::Ordering::SeqCst) {
        return None;
    }
    #[cfg(unix)]
    {
        imp::register(path).map(|slot| Registered { slot })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        #[cfg(unix)]
        imp::unregister(self.slot);
    }
}
