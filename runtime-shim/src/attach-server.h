/* <stateDir>/attach.sock in daemon mode (shim-proto.h, "Attach"): SOCK_STREAM
 * clients get the container's output as Docker's multiplexed frames and send
 * stdin, close-stdin and resize frames back. Never blocks: a client whose
 * socket is full is dropped. The stdin bytes wait in stdin_buf until the
 * owner (monitor-io.c) has written them to the container; while any wait, no
 * client is read, so a container that does not read its stdin holds its
 * writers back instead of the monitor buffering without bound. */
#ifndef TS_ATTACH_SERVER_H
#define TS_ATTACH_SERVER_H
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "shim-proto.h"

#define ATTACH_MAX_CLIENTS 16
#define ATTACH_HEADER_SIZE 8

/* The first byte of a frame's header. */
enum attach_frame { ATTACH_STDIN = 0, ATTACH_STDOUT = 1, ATTACH_STDERR = 2, ATTACH_CLOSE_STDIN = 3, ATTACH_RESIZE = 4 };

struct attach_client {
  int fd;
  bool input_done;                       /* it shut down its sending side */
  uint8_t header[ATTACH_HEADER_SIZE];
  size_t header_len;                     /* < 8: reading a header */
  uint32_t left;                         /* payload bytes of the current frame still to read */
  uint8_t resize[4];
  size_t resize_len;
};

struct attach_server {
  int listen_fd;
  size_t n_clients;
  struct attach_client clients[ATTACH_MAX_CLIENTS];
  bool stdin_open;                       /* false: stdin payloads are read and dropped */
  size_t stdin_len;
  char stdin_buf[4096];
  bool close_stdin;                      /* a client sent close-stdin: after stdin_buf is out */
  bool resized;                          /* rows, cols are new */
  uint16_t rows, cols;
};

/* "[stream, 0, 0, 0, size as uint32 big-endian]" */
void attach_frame_header(uint8_t header[ATTACH_HEADER_SIZE], enum attach_frame stream, uint32_t size);

/* Listen on TS_ATTACH_SOCK in the cwd, mode 0600. */
int attach_server_listen(struct attach_server *s, ts_error *err);

/* The poll entries, at most 1 + ATTACH_MAX_CLIENTS, and what to do with their revents. */
size_t attach_server_pollfds(const struct attach_server *s, struct pollfd *fds);
void attach_server_handle(struct attach_server *s, const struct pollfd *fds, size_t n);

/* Send one frame to every client. */
void attach_server_broadcast(struct attach_server *s, enum attach_frame stream, const char *data, size_t len);

/* Close every client (they see EOF) and the socket, and remove it. */
void attach_server_close(struct attach_server *s);
#endif
