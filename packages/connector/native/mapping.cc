// A shared, writable memory map of a file as an ArrayBuffer, on Node-API: the
// ABI-stable C interface, so one binary loads on every Node line (20.19+, 22,
// 24, 26) without a rebuild. Used once per ring open; never on the hot path.
// Also a thread's CPU affinity (Linux), set once at start by a pipeline that is
// given CPUs of its own.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <napi.h>

#include <fcntl.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#ifdef __linux__
#include <sched.h>
#include <sys/syscall.h>
#endif

namespace {

// A Node error carrying the errno name as its `code`, as node:fs does.
Napi::Error ErrnoError(Napi::Env env, const char* syscall, int err) {
  Napi::Error error = Napi::Error::New(env, std::string(syscall) + ": " + std::strerror(err));
  const char* name = err == ENOMEM ? "ENOMEM"
                     : err == EACCES ? "EACCES"
                     : err == EINVAL ? "EINVAL"
                     : err == EBADF ? "EBADF"
                     : err == ENODEV ? "ENODEV"
                     : err == ESRCH ? "ESRCH"
                     : err == EPERM ? "EPERM"
                     : err == ENOSYS ? "ENOSYS"
                     : err == ENOSPC ? "ENOSPC"
                     : err == EFBIG ? "EFBIG"
                     : err == EDQUOT ? "EDQUOT"
                     : "EIO";
  error.Set("code", Napi::String::New(env, name));
  error.Set("errno", Napi::Number::New(env, -err));
  error.Set("syscall", Napi::String::New(env, syscall));
  return error;
}

// Runs when the garbage collector frees the ArrayBuffer. The length rides in
// the hint, so no bookkeeping outlives the buffer. After close() the range holds
// private anonymous memory (see Close), which this releases.
void Unmap(napi_env, void* data, void* length) {
  munmap(data, reinterpret_cast<std::uintptr_t>(length));
}

// map(fd, length) -> ArrayBuffer over PROT_READ|PROT_WRITE, MAP_SHARED pages of the file.
Napi::Value Map(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  int64_t length = info[1].As<Napi::Number>().Int64Value();
  if (length <= 0) throw Napi::RangeError::New(env, "mapping length must be positive");
  void* data = mmap(nullptr, static_cast<size_t>(length), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (data == MAP_FAILED) throw ErrnoError(env, "mmap", errno);
  napi_value result;
  napi_status status = napi_create_external_arraybuffer(
      env, data, static_cast<size_t>(length), Unmap,
      reinterpret_cast<void*>(static_cast<std::uintptr_t>(length)), &result);
  if (status != napi_ok) {
    munmap(data, static_cast<size_t>(length));
    // napi_no_external_buffers_allowed: a runtime built with the V8 sandbox (Electron), never official Node.
    throw Napi::Error::New(env, "this runtime does not allow external ArrayBuffers (napi status " +
                                    std::to_string(status) + ")");
  }
  return Napi::Value(env, result);
}

// allocate(fd, offset, length) -> true once the file's blocks for [offset, offset + length) are allocated (the file
// grows to cover them; new blocks read as zeros), false when the file system or the platform cannot allocate
// without writing (the caller then writes zeros). A full disk throws ENOSPC here, as writing the zeros would.
Napi::Value Allocate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  int64_t offset = info[1].As<Napi::Number>().Int64Value();
  int64_t length = info[2].As<Napi::Number>().Int64Value();
  if (offset < 0 || length <= 0) throw Napi::RangeError::New(env, "allocation range must be non-empty");
#ifdef __linux__
  int result;
  do {
    result = fallocate(fd, 0, static_cast<off_t>(offset), static_cast<off_t>(length));
  } while (result != 0 && errno == EINTR);
  if (result == 0) return Napi::Boolean::New(env, true);
  if (errno == EOPNOTSUPP || errno == ENOSYS) return Napi::Boolean::New(env, false);
  throw ErrnoError(env, "fallocate", errno);
#else
  return Napi::Boolean::New(env, false);
#endif
}

// Page-aligned [start, end) of bytes [offset, offset + length) of the buffer.
bool PageRange(const Napi::CallbackInfo& info, uint8_t** start, size_t* size) {
  Napi::ArrayBuffer buffer = info[0].As<Napi::ArrayBuffer>();
  int64_t offset = info[1].As<Napi::Number>().Int64Value();
  int64_t length = info[2].As<Napi::Number>().Int64Value();
  int64_t total = static_cast<int64_t>(buffer.ByteLength());
  if (offset < 0 || length < 0 || offset + length > total) {
    throw Napi::RangeError::New(info.Env(), "range outside the mapping");
  }
  if (length == 0) return false;
  uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  uintptr_t base = reinterpret_cast<uintptr_t>(buffer.Data());
  uintptr_t first = (base + static_cast<uintptr_t>(offset)) & ~(page - 1);
  uintptr_t last = base + static_cast<uintptr_t>(offset + length);
  *start = reinterpret_cast<uint8_t*>(first);
  *size = last - first;
  return true;
}

// sync(buffer, offset, length): msync(MS_SYNC) of the pages holding that byte range.
Napi::Value Sync(const Napi::CallbackInfo& info) {
  uint8_t* start;
  size_t size;
  if (PageRange(info, &start, &size) && msync(start, size, MS_SYNC) != 0) {
    throw ErrnoError(info.Env(), "msync", errno);
  }
  return info.Env().Undefined();
}

// advise(buffer, offset, length, advice): madvise of the pages holding that byte range.
Napi::Value Advise(const Napi::CallbackInfo& info) {
  uint8_t* start;
  size_t size;
  int advice = info[3].As<Napi::Number>().Int32Value();
  if (PageRange(info, &start, &size) && madvise(start, size, advice) != 0) {
    throw ErrnoError(info.Env(), "madvise", errno);
  }
  return info.Env().Undefined();
}

// close(buffer): drops the file mapping now. The range is replaced, atomically,
// by private anonymous memory rather than unmapped: a view of the buffer that JS
// code kept reads zeros, and its stores reach no file, instead of touching freed
// pages; and no other mapping can land at that address for the GC finalizer to
// destroy by mistake (the finalizer unmaps it later). The buffer is not
// detached: detaching any ArrayBuffer invalidates V8's ArrayBufferDetaching
// protector for the whole isolate, which deoptimizes every function that reads
// a typed array and compiles each again with a detached check on every access
// (docs/design/ring-buffer.md, "Closing"). Calling it again maps fresh zeros;
// the RingBuffer calls it once. A buffer detached by someone else is left alone.
Napi::Value Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::ArrayBuffer buffer = info[0].As<Napi::ArrayBuffer>();
  if (buffer.IsDetached()) return env.Undefined();
  void* data = buffer.Data();
  size_t length = buffer.ByteLength();
  if (mmap(data, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1,
           0) == MAP_FAILED) {
    throw ErrnoError(env, "mmap", errno);
  }
  return env.Undefined();
}

#ifdef __linux__
// setAffinity(tid, cpus): sched_setaffinity of one thread of this process (tid 0:
// the calling thread) to the CPU numbers in the array.
Napi::Value SetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pid_t tid = static_cast<pid_t>(info[0].As<Napi::Number>().Int32Value());
  Napi::Array cpus = info[1].As<Napi::Array>();
  cpu_set_t set;
  CPU_ZERO(&set);
  for (uint32_t i = 0; i < cpus.Length(); i++) {
    int64_t cpu = cpus.Get(i).As<Napi::Number>().Int64Value();
    if (cpu < 0 || cpu >= CPU_SETSIZE) throw Napi::RangeError::New(env, "CPU number out of range");
    CPU_SET(static_cast<int>(cpu), &set);
  }
  if (sched_setaffinity(tid, sizeof(set), &set) != 0) throw ErrnoError(env, "sched_setaffinity", errno);
  return env.Undefined();
}

// getAffinity(tid) -> the CPU numbers the thread may run on (tid 0: the calling thread).
Napi::Value GetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pid_t tid = static_cast<pid_t>(info[0].As<Napi::Number>().Int32Value());
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(tid, sizeof(set), &set) != 0) throw ErrnoError(env, "sched_getaffinity", errno);
  Napi::Array result = Napi::Array::New(env);
  uint32_t n = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (CPU_ISSET(cpu, &set)) result.Set(n++, Napi::Number::New(env, cpu));
  }
  return result;
}

// threadId() -> the calling thread's kernel id (gettid).
Napi::Value ThreadId(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(syscall(SYS_gettid)));
}
#else
Napi::Value NoAffinity(const Napi::CallbackInfo& info) {
  throw ErrnoError(info.Env(), "sched_setaffinity", ENOSYS);
}
#endif

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("map", Napi::Function::New(env, Map, "map"));
  exports.Set("allocate", Napi::Function::New(env, Allocate, "allocate"));
  exports.Set("sync", Napi::Function::New(env, Sync, "sync"));
  exports.Set("advise", Napi::Function::New(env, Advise, "advise"));
  exports.Set("close", Napi::Function::New(env, Close, "close"));
  Napi::Object advice = Napi::Object::New(env);
  advice.Set("normal", Napi::Number::New(env, MADV_NORMAL));
  advice.Set("random", Napi::Number::New(env, MADV_RANDOM));
  advice.Set("sequential", Napi::Number::New(env, MADV_SEQUENTIAL));
  advice.Set("willNeed", Napi::Number::New(env, MADV_WILLNEED));
  advice.Set("dontNeed", Napi::Number::New(env, MADV_DONTNEED));
  exports.Set("advice", advice);
#ifdef __linux__
  exports.Set("setAffinity", Napi::Function::New(env, SetAffinity, "setAffinity"));
  exports.Set("getAffinity", Napi::Function::New(env, GetAffinity, "getAffinity"));
  exports.Set("threadId", Napi::Function::New(env, ThreadId, "threadId"));
#else
  exports.Set("setAffinity", Napi::Function::New(env, NoAffinity, "setAffinity"));
  exports.Set("getAffinity", Napi::Function::New(env, NoAffinity, "getAffinity"));
  exports.Set("threadId", Napi::Function::New(env, NoAffinity, "threadId"));
#endif
  return exports;
}

}  // namespace

NODE_API_MODULE(marketpipe_mapping, Init)
