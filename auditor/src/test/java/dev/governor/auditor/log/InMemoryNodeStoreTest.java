package dev.governor.auditor.log;

class InMemoryNodeStoreTest extends NodeStoreContract {

    @Override
    protected NodeStore newStore() {
        return new InMemoryNodeStore();
    }
}
