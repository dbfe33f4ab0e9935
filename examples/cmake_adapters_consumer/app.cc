// A service built with CMake against an installed orderly and its four
// adapters (find_package(orderly COMPONENTS asio spdlog zmq grpc)): an
// io_context on two threads with a TCP acceptor, spdlog's async pool with
// one logger, a ZeroMQ context and a gRPC server, each owned by its adapter
// in a line or two. main ends with `return guard.Shutdown();`: the sequence
// stops accepting, shuts the gRPC server down, stops the io_context and
// the zmq context, joins the threads and flushes the log, while main's
// locals exist. CI checks the exit code and the output.

#include <cstdio>
#include <memory>

#include "absl/status/status.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <zmq.hpp>

#include "adapters/asio/io_context_runner.h"
#include "adapters/grpc/grpc_server_owner.h"
#include "adapters/spdlog/spdlog_owner.h"
#include "adapters/zmq/zmq_context_owner.h"
#include "hooks/main_guard.h"

// What failed, and the sequence run anyway (main's locals exist still).
int Fail(orderly::MainGuard& guard, const absl::Status& status) {
  std::fprintf(stderr, "app: %s\n", status.ToString().c_str());
  return guard.Shutdown(/*code_when_ok=*/1);
}

int main() {
  orderly::MainGuard guard;  // Signals, exit(), fork, process end: installed.

  // asio: the io_context runs on two registered threads; the acceptor is
  // closed at the drain, io.stop() runs in the terminate step.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(
      io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  auto runner = orderly::IoContextRunner::Start(io, /*threads=*/2);
  if (!runner.ok()) return Fail(guard, runner.status());
  if (absl::Status s = (*runner)->AddAcceptor(acceptor); !s.ok()) {
    return Fail(guard, s);
  }

  // spdlog: the async pool and the logger are owned; what is logged is
  // written by `flush`, after the producers are joined.
  auto logs = orderly::SpdlogOwner::Start();
  if (!logs.ok()) return Fail(guard, logs.status());
  auto log = (*logs)->AddLogger(
      "app", std::make_shared<spdlog::sinks::stdout_sink_mt>());
  if (!log.ok()) return Fail(guard, log.status());

  // ZeroMQ: the context is shut down in the terminate step and terminated
  // in `close`, once its sockets are closed (this one closes at once).
  auto zmq = orderly::ZmqContextOwner::Create();
  if (!zmq.ok()) return Fail(guard, zmq.status());
  {
    zmq::socket_t push((*zmq)->context(), zmq::socket_type::push);
    push.bind("inproc://jobs");
  }

  // gRPC: the health service turns NOT_SERVING at the stop request;
  // Server::Shutdown(deadline) in `drain`. (A real service registers its
  // own services on the builder; this one answers every RPC UNIMPLEMENTED.)
  grpc::EnableDefaultHealthCheckService(true);
  grpc::CallbackGenericService unimplemented;
  grpc::ServerBuilder builder;
  builder.RegisterCallbackGenericService(&unimplemented);
  int grpc_port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &grpc_port);
  auto server = orderly::GrpcServerOwner::Start(builder);
  if (!server.ok()) return Fail(guard, server.status());

  (*log)->info("app: serving on tcp {} and grpc {}",
               acceptor.local_endpoint().port(), grpc_port);
  return guard.Shutdown();
}
