package dev.lambdalab.testbed.lambda.classloader;

import dev.lambdalab.testbed.lambda.sandbox.FunctionCode;
import java.net.URL;
import java.net.URLClassLoader;

/**
 * One execution environment's class loader: the function's own classes are loaded here, child first,
 * so each environment has its own copy of them and of their static state; all other classes come from
 * the parent and are shared.
 */
public final class SandboxClassLoader extends URLClassLoader {

    static {
        registerAsParallelCapable();
    }

    private final FunctionCode code;

    SandboxClassLoader(String environmentId, FunctionCode code, ClassLoader parent) {
        super("sandbox-" + environmentId, code.locations().toArray(URL[]::new), parent);
        this.code = code;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!code.isOwn(name)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                loaded = findClass(name);
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }
}
