//! Background jobs (`cmd &`): the shell does not wait, prints `[N] PID`, and reports the
//! job when it finds it finished (before the next prompt, or in `wait`).
//!
//! A job is a whole pipeline: one process group (with job control), several pids. Its
//! number is the lowest one no job has, as dash and BusyBox ash choose it (`makejob` in
//! their `jobs.c` takes the first unused slot of the job table): `[1]` is free again once
//! job 1 is reported, even while job 2 runs.

use super::Shell;
use alloc::string::String;
use alloc::vec::Vec;
use binlib::{parse_int, text, Status};
use ulib::process::{wait4, WNOHANG};
use ulib::{eprintln, println};

/// A background job the shell has not reported yet.
pub struct Job {
    /// Its number, `%N`.
    pub id: usize,
    /// Its process group (the first command's pid).
    pub pgid: i32,
    /// Each command's pid, and its wait status once reaped.
    pub procs: Vec<(i32, Option<i32>)>,
    /// The command line, for `jobs` and the report.
    pub text: String,
}

impl Job {
    /// The pid the job is known by: its last command's (what `$!` would be).
    pub fn pid(&self) -> i32 {
        self.procs.last().map_or(0, |p| p.0)
    }

    fn done(&self) -> bool {
        self.procs.iter().all(|p| p.1.is_some())
    }
}

/// The lowest job number not in use (dash's `makejob`).
pub fn free_id(jobs: &[Job]) -> usize {
    (1..)
        .find(|n| !jobs.iter().any(|j| j.id == *n))
        .unwrap_or(1)
}

/// "[1]+ exited with 0  sleep 1 (pid 7)": the last command's status.
fn report(j: &Job) {
    let s = Status(j.procs.last().and_then(|p| p.1).unwrap_or(0));
    println!("[{}]+ {}  {} (pid {})", j.id, s, j.text, j.pid());
}

impl Shell {
    /// Start tracking a job; prints "[N] PID".
    pub(super) fn add_job(&mut self, pgid: i32, pids: &[i32], text: String) {
        let job = Job {
            id: free_id(&self.jobs),
            pgid,
            procs: pids.iter().map(|&p| (p, None)).collect(),
            text,
        };
        println!("[{}] {}", job.id, job.pid());
        // Kept in job-number order, the order `jobs` lists them.
        let at = self.jobs.partition_point(|j| j.id < job.id);
        self.jobs.insert(at, job);
    }

    /// Reap what has finished, without waiting; report and forget finished jobs.
    pub(super) fn reap_jobs(&mut self) {
        for j in self.jobs.iter_mut() {
            for p in j.procs.iter_mut().filter(|p| p.1.is_none()) {
                let mut status = 0;
                match wait4(p.0, Some(&mut status), WNOHANG) {
                    Ok(0) => {}
                    Ok(_) => p.1 = Some(status),
                    Err(_) => p.1 = Some(0), // not our child any more: nothing to wait for
                }
            }
        }
        self.jobs.retain(|j| {
            if j.done() {
                report(j);
            }
            !j.done()
        });
    }

    /// The job `%N` names, or the one with pid `N`.
    fn find_job(&self, spec: &[u8]) -> Option<usize> {
        match spec.strip_prefix(b"%") {
            Some(n) => {
                let n = parse_int(n)?;
                self.jobs.iter().position(|j| j.id as i64 == n)
            }
            None => {
                let p = parse_int(spec)?;
                self.jobs
                    .iter()
                    .position(|j| j.procs.iter().any(|q| q.0 as i64 == p))
            }
        }
    }

    /// `kill %N`: what kill(1) must be given for job N: its process group (as `-PGID`)
    /// with job control, else its pid. None if `arg` is not a job.
    pub(super) fn job_target(&self, arg: &[u8]) -> Option<Vec<u8>> {
        if !arg.starts_with(b"%") {
            return None;
        }
        let j = &self.jobs[self.find_job(arg)?];
        let target = if self.job_control { -j.pgid } else { j.pid() };
        Some(alloc::format!("{}", target).into_bytes())
    }

    /// `jobs`: "[1] 7 running  sleep 20".
    pub(super) fn list_jobs(&mut self) -> i32 {
        for j in &self.jobs {
            println!("[{}] {} running  {}", j.id, j.pid(), j.text);
        }
        0
    }

    /// `wait`: wait for every job; `wait PID` or `wait %N` for one. Its status is the
    /// last job's.
    pub(super) fn wait_jobs(&mut self, which: Option<&[u8]>) -> i32 {
        let pick = match which {
            None => None,
            Some(w) => match self.find_job(w) {
                Some(i) => Some(self.jobs[i].id),
                None => {
                    eprintln!("wait: {}: no such job", text(w));
                    return 127;
                }
            },
        };
        let mut last = 0;
        let jobs = core::mem::take(&mut self.jobs);
        for mut j in jobs {
            if pick.is_some_and(|id| id != j.id) {
                self.jobs.push(j);
                continue;
            }
            for p in j.procs.iter_mut().filter(|p| p.1.is_none()) {
                p.1 = Some(binlib::wait_for(p.0).unwrap_or(0));
            }
            report(&j);
            last = Status(j.procs.last().and_then(|p| p.1).unwrap_or(0)).code();
        }
        last
    }
}
