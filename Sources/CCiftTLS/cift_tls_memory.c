// OpenSSL's memory functions, replaced before OpenSSL allocates anything: small blocks
// come from a per-thread cache of blocks OpenSSL has freed before.
//
// Why: OpenSSL 3.0's record layer asks for small blocks on every record (three
// 40-byte WPACKET_SUB bookkeeping blocks per record written, one per record read) and
// frees them before SSL_write / SSL_read return. Through libc that is a malloc and a
// free per record, on the I/O thread, per message. Served from this thread's cache it
// is a pointer pop and push, with no lock and no system call; libc is asked only when
// the cache is empty (the first records of a thread) or for blocks over the largest
// class. specs/network.md, "TLS" → "Memory".
//
// Layout of every block handed to OpenSSL: a 16-byte header (the class index, or
// CIFT_TLS_LARGE and the size asked for) followed by the caller's bytes, so free and
// realloc know what they hold without a lookup, and the caller's pointer keeps
// malloc's 16-byte alignment. Blocks of every class come from libc's malloc, so any
// of them can go back to libc's free from any thread.
#include "cift_tls.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CIFT_TLS_HEADER 16
#define CIFT_TLS_CLASSES 4
#define CIFT_TLS_LARGE 0xFFu
/// Blocks kept per class per thread: bounds what a thread holds on to (4 classes ×
/// 64 blocks × at most 528 bytes ≈ 135 KB) while covering a record's few blocks many
/// times over.
#define CIFT_TLS_CACHE_DEPTH 64

static const size_t class_sizes[CIFT_TLS_CLASSES] = {64, 128, 256, 512};

struct block_header {
    uint32_t class_index;
    uint32_t reserved;
    uint64_t size;  // bytes asked for (large blocks; informational for small ones)
};
_Static_assert(sizeof(struct block_header) == CIFT_TLS_HEADER, "the header keeps malloc's alignment");

struct free_block { struct free_block *next; };

struct thread_cache {
    struct free_block *heads[CIFT_TLS_CLASSES];
    unsigned counts[CIFT_TLS_CLASSES];
    // 1 once the thread has registered its exit hook; 2 once that hook ran (the thread
    // is exiting: later frees go straight to libc, later allocations too).
    int state;
    struct cift_tls_memory_stats stats;
};

static __thread struct thread_cache cache;
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static int installed;

static void release_cache(void *unused) {
    (void)unused;
    for (int c = 0; c < CIFT_TLS_CLASSES; c++) {
        struct free_block *block = cache.heads[c];
        while (block) {
            struct free_block *next = block->next;
            free((char *)block - CIFT_TLS_HEADER);
            block = next;
        }
        cache.heads[c] = NULL;
        cache.counts[c] = 0;
    }
    cache.state = 2;
}

static void make_exit_key(void) { (void)pthread_key_create(&exit_key, release_cache); }

/// The thread's first small block: arrange for its cache to be given back when it exits.
static void register_thread(void) {
    pthread_once(&exit_key_once, make_exit_key);
    // Any non-NULL value makes the destructor run; the cache itself is thread-local.
    (void)pthread_setspecific(exit_key, &cache);
    cache.state = 1;
}

static int class_for(size_t size) {
    for (int c = 0; c < CIFT_TLS_CLASSES; c++) {
        if (size <= class_sizes[c]) return c;
    }
    return -1;
}

static void *header_to_user(struct block_header *header) { return (char *)header + CIFT_TLS_HEADER; }
static struct block_header *user_to_header(void *user) { return (struct block_header *)((char *)user - CIFT_TLS_HEADER); }

static void *cift_malloc(size_t size, const char *file, int line) {
    (void)file; (void)line;
    int c = class_for(size);
    if (c >= 0 && cache.state != 2) {
        if (cache.state == 0) register_thread();
        cache.stats.requests++;
        struct free_block *block = cache.heads[c];
        if (block) {
            cache.heads[c] = block->next;
            cache.counts[c]--;
            cache.stats.cache_hits++;
            struct block_header *header = user_to_header(block);
            header->size = size;
            return block;
        }
        cache.stats.libc_allocations++;
        struct block_header *header = malloc(CIFT_TLS_HEADER + class_sizes[c]);
        if (!header) return NULL;
        header->class_index = (uint32_t)c;
        header->reserved = 0;
        header->size = size;
        return header_to_user(header);
    }
    // Not from the cache: a large block, or a small one while the thread exits (sized
    // to its class all the same, so realloc's "does it fit" holds for every small block).
    if (size > SIZE_MAX - CIFT_TLS_HEADER) return NULL;
    struct block_header *header = malloc(CIFT_TLS_HEADER + (c >= 0 ? class_sizes[c] : size));
    if (!header) return NULL;
    header->class_index = c >= 0 ? (uint32_t)c : CIFT_TLS_LARGE;
    header->reserved = 0;
    header->size = size;
    return header_to_user(header);
}

static void cift_free(void *pointer, const char *file, int line) {
    (void)file; (void)line;
    if (!pointer) return;
    struct block_header *header = user_to_header(pointer);
    uint32_t c = header->class_index;
    if (c < CIFT_TLS_CLASSES && cache.state == 1 && cache.counts[c] < CIFT_TLS_CACHE_DEPTH) {
        struct free_block *block = pointer;
        block->next = cache.heads[c];
        cache.heads[c] = block;
        cache.counts[c]++;
        return;
    }
    free(header);
}

static void *cift_realloc(void *pointer, size_t size, const char *file, int line) {
    if (!pointer) return cift_malloc(size, file, line);
    if (size == 0) {
        cift_free(pointer, file, line);
        return NULL;
    }
    struct block_header *header = user_to_header(pointer);
    size_t capacity = header->class_index < CIFT_TLS_CLASSES ? class_sizes[header->class_index] : (size_t)header->size;
    if (size <= capacity && header->class_index < CIFT_TLS_CLASSES) {
        header->size = size;
        return pointer;
    }
    if (header->class_index == CIFT_TLS_LARGE && class_for(size) < 0) {
        // Large to large: libc may grow it in place.
        struct block_header *grown = realloc(header, CIFT_TLS_HEADER + size);
        if (!grown) return NULL;
        grown->size = size;
        return header_to_user(grown);
    }
    void *moved = cift_malloc(size, file, line);
    if (!moved) return NULL;
    memcpy(moved, pointer, capacity < size ? capacity : size);
    cift_free(pointer, file, line);
    return moved;
}

// Runs when the library is loaded, before main and so before any OpenSSL call:
// CRYPTO_set_mem_functions refuses once OpenSSL has allocated anything.
__attribute__((constructor)) static void install(void) {
    installed = CRYPTO_set_mem_functions(cift_malloc, cift_realloc, cift_free);
}

int cift_tls_memory_installed(void) { return installed; }

struct cift_tls_memory_stats cift_tls_memory_thread_stats(void) { return cache.stats; }
