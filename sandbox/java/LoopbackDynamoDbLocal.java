import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts DynamoDB Local like its own main class does, but listening on 127.0.0.1 only.
 *
 * Why: DynamoDB Local has no option for the address it listens on, and its Jetty server listens on
 * every interface, which would expose the sandbox's data to the network. Its server object is built
 * first and started second, so the host of its connector can be set in between (through reflection:
 * the Jetty server is a private field). If that ever fails (another DynamoDB Local version), it
 * starts anyway on every interface and says so; sandbox/dynamodb-local.ts reads these lines.
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    String bound;
    try {
      Field field = DynamoDBProxyServer.class.getDeclaredField("server");
      field.setAccessible(true);
      Server server = (Server) field.get(proxy);
      for (Connector connector : server.getConnectors()) ((ServerConnector) connector).setHost("127.0.0.1");
      bound = "sendblue-groups: listening on 127.0.0.1 only";
    } catch (ReflectiveOperationException | ClassCastException | SecurityException error) {
      bound = "sendblue-groups: could not restrict to 127.0.0.1 (" + error + "); listening on all interfaces";
    }
    System.out.println(bound); // before start: printed by the time the port answers
    proxy.start();
  }
}
